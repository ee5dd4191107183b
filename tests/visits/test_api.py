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


def test_the_plan_and_the_report_in_the_api(org, make_doctor, met, api_as, make_user):
    from .conftest import meeting_day, monday_of, on, week_of
    doctor = make_doctor(org.hospital, "A")
    meeting = met(doctor)
    monday = monday_of(meeting_day(meeting)) + timedelta(days=21)
    with on(monday + timedelta(days=1)):
        rows = api_as(org.rep).get(f"/visit-plan?week={week_of(monday)}")
        assert rows.status_code == 200, rows.json
        assert len(rows.json) == 1
        row = rows.json[0]
        assert {"doctor_id", "grade", "due", "last_visit_on", "frequency_days"} <= set(row)
        assert row["doctor_id"] == doctor.id and row["grade"] == "A" and row["due"] is True
        assert row["frequency_days"] == 7 and row["last_visit_on"] is None
        manager = api_as(org.pm)
        assert manager.get(f"/visit-plan?week={week_of(monday)}&rep_id={org.rep.id}").json == rows.json
        assert manager.get(f"/visit-plan?week={week_of(monday)}").json == []
        colleague = make_user(Role.rep, province=org.province)
        assert api_as(colleague).get(f"/visit-plan?rep_id={org.rep.id}").status_code == 404
        assert api_as(org.rep).get("/visit-plan?week=2026-W99").status_code == 422
        report = manager.get(f"/reports/visits?week={week_of(monday)}&group_by=rep")
        assert report.status_code == 200
        mine = [r for r in report.json if r["key"]["id"] == org.rep.id][0]
        assert (mine["planned"], mine["done"], mine["rate"]) == (1, 0, 0)
        assert manager.get("/reports/visits?group_by=province").status_code == 422
