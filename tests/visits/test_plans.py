"""Upgrade plans (SPEC §15, seed 004): who is eligible, 30–62 days, at least
3 activities, approved by the provincial manager, judged at the end."""
from datetime import timedelta

import pytest

from meetings.errors import Conflict, Forbidden, InvalidInput
from meetings.extensions import db
from meetings.prescriptions.models import Prescription
from meetings.types import month_index, month_text
from meetings.visits import plans
from meetings.visits.services import today

from .conftest import on


def activities(start, n=3):
    return [{"title": f"活动{i}", "due_on": start + timedelta(days=7 * (i + 1))} for i in range(n)]


def propose(rep, doctor, days=45, n=3, start=None):
    start = start or today()
    return plans.create_plan(rep, doctor_id=doctor.id, starts_on=start, ends_on=start + timedelta(days=days),
                             activities=activities(start, n))


def test_who_is_eligible(org, make_doctor):
    from decimal import Decimal
    assert propose(org.rep, make_doctor(org.hospital, "B")).id
    near = make_doctor(org.hospital, "D")
    near.potential = Decimal("80")  # 80 % of the high-potential threshold (100)
    assert propose(org.rep, near).id
    for doctor in (make_doctor(org.hospital, "A"), make_doctor(org.hospital, "C"), make_doctor(org.hospital, "D"),
                   make_doctor(org.hospital, "B", title="nurse")):
        with pytest.raises(InvalidInput) as refused:
            propose(org.rep, doctor)
        assert refused.value.field == "doctor_id"


@pytest.mark.parametrize("days,n,field", [(29, 3, "ends_on"), (63, 3, "ends_on"), (45, 2, "activities")])
def test_length_and_activities(org, make_doctor, days, n, field):
    with pytest.raises(InvalidInput) as refused:
        propose(org.rep, make_doctor(org.hospital, "B"), days=days, n=n)
    assert refused.value.field == field


def test_the_bounds_are_taken_and_activities_lie_within(org, make_doctor):
    doctor = make_doctor(org.hospital, "B")
    assert propose(org.rep, doctor, days=30).id and propose(org.rep, doctor, days=62).id
    start = today()
    with pytest.raises(InvalidInput) as refused:
        plans.create_plan(org.rep, doctor_id=doctor.id, starts_on=start, ends_on=start + timedelta(days=30),
                          activities=activities(start, 2) + [{"title": "晚了", "due_on": start + timedelta(days=40)}])
    assert refused.value.field == "activities.2.due_on"


def test_the_provincial_manager_approves_once(org, make_doctor):
    plan = propose(org.rep, make_doctor(org.hospital, "B"))
    for person in (org.rep, org.rm, org.admin):
        with pytest.raises(Forbidden):
            plans.approve(person, plan)
    assert plans.status_of(plan).value == "draft"
    plans.approve(org.pm, plan)
    assert plans.status_of(plan).value == "approved"
    with pytest.raises(Conflict):
        plans.approve(org.pm, plan)


def test_the_result_at_the_end_and_the_report(org, make_doctor):
    rising, flat = make_doctor(org.hospital, "B"), make_doctor(org.hospital, "B")
    start = today()
    ups = [propose(org.rep, d, days=40, start=start) for d in (rising, flat)]
    for plan in ups:
        plans.approve(org.pm, plan)
    first = month_index(start)
    for doctor, before, during in ((rising, 10, 13), (flat, 10, 11)):
        for m in range(first - 3, first):
            db.session.add(Prescription(doctor_id=doctor.id, month=month_text(m), product="示例药品", boxes=before))
        for m in range(first, month_index(start + timedelta(days=40)) + 1):
            db.session.add(Prescription(doctor_id=doctor.id, month=month_text(m), product="示例药品", boxes=during))
    db.session.commit()
    assert plans.results(ups) == {ups[0].id: None, ups[1].id: None}  # not over yet
    end = start + timedelta(days=41)
    with on(end):
        result = plans.results(ups)
        assert result[ups[0].id]["before"] == 10 and result[ups[0].id]["after"] == 13
        assert result[ups[0].id]["change"] == 0.3 and result[ups[0].id]["success"] is True
        assert result[ups[1].id]["success"] is False
        report = {r["rep_id"]: r for r in plans.plan_report(org.pm, month_index(start + timedelta(days=40)))}
        row = report[org.rep.id]
        assert row["target"] == 3 and row["finished"] == 2 and row["succeeded"] == 1
        started = {r["rep_id"]: r for r in plans.plan_report(org.pm, first)}[org.rep.id]
        assert started["started"] == 2


def test_the_api(org, make_doctor, api_as):
    doctor = make_doctor(org.hospital, "B")
    start = today()
    body = {"doctor_id": doctor.id, "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=35)).isoformat(),
            "activities": [{"title": a["title"], "due_on": a["due_on"].isoformat()} for a in activities(start)]}
    rep = api_as(org.rep)
    created = rep.post("/upgrade-plans", json=body)
    assert created.status_code == 201, created.json
    plan = created.json
    assert {"id", "doctor_id", "rep_id", "starts_on", "ends_on", "activities", "status", "result"} <= set(plan)
    assert plan["status"] == "draft" and len(plan["activities"]) == 3 and plan["result"] is None
    assert rep.post(f"/upgrade-plans/{plan['id']}/approve").status_code == 403
    approved = api_as(org.pm).post(f"/upgrade-plans/{plan['id']}/approve")
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert [p["id"] for p in rep.get("/upgrade-plans").json] == [plan["id"]]
    assert rep.get(f"/upgrade-plans/{plan['id']}").json["id"] == plan["id"]
    assert rep.post("/upgrade-plans", json={**body, "activities": body["activities"][:2]}).status_code == 422
    report = api_as(org.pm).get(f"/reports/upgrade-plans?month={start.strftime('%Y-%m')}")
    assert report.status_code == 200
    mine = [r for r in report.json if r["rep_id"] == org.rep.id][0]
    assert (mine["target"], mine["started"]) == (3, 1)
    assert api_as(org.pm).get("/reports/upgrade-plans?month=2026-13").status_code == 422


def test_the_week_shows_the_plan_activities_and_the_rep_ticks_them(org, make_doctor, login, api_as):
    doctor = make_doctor(org.hospital, "B", name="黄医生")
    plan = propose(org.rep, doctor, start=today() - timedelta(days=5))
    plans.approve(org.pm, plan)
    db.session.commit()
    client = login(org.rep)
    html = client.get("/visits/week").get_data(as_text=True)
    assert 'id="plan-activities"' in html and "黄医生" in html and "活动0" in html
    first = plan.activities[0]
    assert api_as(org.pm).post(f"/upgrade-plans/{plan.id}/activities/{first.id}/done").status_code == 403
    done = client.post(f"/visits/plans/{plan.id}/activities/{first.id}/done")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(first), first.id).done is True
