from datetime import timedelta

from meetings.auth.models import Role
from meetings.extensions import db
from meetings.types import to_local, utcnow
from meetings.visits.models import Visit


def body(doctor, **kw):
    values = dict(doctor_id=doctor.id, visited_at=to_local(utcnow() - timedelta(hours=2)).isoformat(),
                  minutes=25, purpose="用法用量", key_message="每日一次", expected_objection="价格",
                  next_step="带文献", outcome="committed", stage="trial", notes="")
    values.update(kw)
    return values


def test_record_list_and_read_visits(org, make_doctor, api_as):
    doctor = make_doctor(org.hospital, "B")
    api = api_as(org.rep)
    created = api.post("/visits", json=body(doctor))
    assert created.status_code == 201, created.json
    visit = created.json
    for field in ("id", "doctor_id", "rep_id", "visited_at", "minutes", "purpose", "key_message",
                  "expected_objection", "next_step", "outcome", "stage", "notes"):
        assert field in visit
    assert visit["rep_id"] == org.rep.id and visit["outcome"] == "committed" and visit["stage"] == "trial"
    assert visit["visited_at"].endswith("+08:00")
    listed = api.get(f"/visits?doctor_id={doctor.id}")
    assert listed.status_code == 200 and [v["id"] for v in listed.json] == [visit["id"]]
    assert "X-Pagination" in listed.headers
    assert api.get(f"/visits?rep_id={org.pm.id}").json == []
    day = to_local(utcnow()).date()
    assert len(api.get(f"/visits?from={day - timedelta(days=1)}&to={day}").json) == 1
    assert api.get(f"/visits?from={day + timedelta(days=1)}").json == []
    assert api.get(f"/visits/{visit['id']}").json["id"] == visit["id"]
    other = api_as(org.__class__ and org.admin)
    assert other.get(f"/visits/{visit['id']}").status_code == 200


def test_refusals_name_the_field(org, make_doctor, api_as, make_user):
    doctor = make_doctor(org.hospital)
    api = api_as(org.rep)
    for change, field in ((dict(minutes=200), "minutes"), (dict(outcome="yes"), "outcome"),
                          (dict(stage=None), "stage"), (dict(doctor_id=10**6), "doctor_id"),
                          (dict(visited_at=to_local(utcnow() + timedelta(days=1)).isoformat()), "visited_at"),
                          (dict(visited_at=to_local(utcnow() - timedelta(days=31)).isoformat()), "visited_at")):
        response = api.post("/visits", json=body(doctor, **change))
        assert response.status_code == 422, (change, response.json)
        assert field in str(response.json), (change, response.json)
    assert api.get("/visits?from=0001-01-01").status_code == 422
    assert api_as(org.staff).post("/visits", json=body(doctor)).status_code == 403
    assert db.session.query(Visit).count() == 0


def test_another_reps_visit_is_not_found(org, make_doctor, api_as, make_user):
    api = api_as(org.rep)
    visit = api.post("/visits", json=body(make_doctor(org.hospital))).json
    colleague = make_user(Role.rep, province=org.province)
    assert api_as(colleague).get(f"/visits/{visit['id']}").status_code == 404
    assert api_as(colleague).get("/visits").json == []
