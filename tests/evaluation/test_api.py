"""GET /meetings/{id}/scorecard, /doctors/{id}/spend, /reports/budgets."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from meetings.auth.models import Role
from meetings.errors import InvalidInput
from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals.services import budget_period


def test_scorecard_of_a_held_meeting(held, api_as, org):
    meeting = held(tick=6)
    response = api_as(org.rep).get(f"/meetings/{meeting.id}/scorecard")
    assert response.status_code == 200
    body = response.json
    assert body["meeting_id"] == meeting.id
    assert [p["name"] for p in body["parts"]] == ["hardware", "execution", "followup", "effect"]
    hardware = body["parts"][0]
    assert hardware == {"name": "hardware", "weight": 20.0, "score": 0.5, "points": 10.0,
                        "detail": hardware["detail"]}
    assert isinstance(hardware["detail"], str) and hardware["detail"]
    assert body["total"] == 10 and body["max"] == 20 and body["percent"] == 50
    assert all(p["score"] is None and p["points"] is None for p in body["parts"][1:])


def test_scorecard_before_the_meeting_is_held_is_a_conflict(make_meeting, api_as, org):
    meeting = make_meeting("approved")
    response = api_as(org.rep).get(f"/meetings/{meeting.id}/scorecard")
    assert response.status_code == 409 and response.json["reason"] == "invalid_transition"


def test_scorecard_follows_the_meetings_visibility(held, api_as, org, make_user):
    meeting = held()
    other_rep = make_user(Role.rep, province=org.province)
    assert api_as(other_rep).get(f"/meetings/{meeting.id}/scorecard").status_code == 404
    assert api_as(org.pm).get(f"/meetings/{meeting.id}/scorecard").status_code == 200
    assert api_as(org.marketing).get(f"/meetings/{meeting.id}/scorecard").status_code == 200
    assert api_as().get(f"/meetings/{meeting.id}/scorecard").status_code == 401
    assert api_as(org.rep).get("/meetings/999999/scorecard").status_code == 404


# ---------------------------------------------------------------- spend per doctor

def _invite(org, meeting, doctor, role="primary", **kw):
    from meetings.invitees import services as invitees
    return invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role=role, **kw)


def test_spend_counts_primary_not_declined_and_spending_meetings(org, make_meeting, make_doctor,
                                                                  api_as):
    from meetings.invitees import services as invitees
    from meetings.proposals import services as proposals

    doctor = make_doctor(org.hospital, "C")
    other = make_doctor(org.hospital, "C")
    # 2000 budget ÷ 15 expected = 133.33 each
    counted = make_meeting(expected_attendees=15)
    _invite(org, counted, doctor)
    declined = make_meeting(expected_attendees=15)
    row = _invite(org, declined, doctor)
    _invite(org, declined, other)
    backup_only = make_meeting(expected_attendees=15)
    _invite(org, backup_only, other)
    _invite(org, backup_only, doctor, role="backup", backup_for=backup_only.invitees[0].id)
    cancelled = make_meeting(expected_attendees=15)
    _invite(org, cancelled, doctor)
    small = make_meeting(expected_attendees=4,  # 500 each
                         budget={"lines": [{"category": "venue", "amount": Decimal("2000")}]})
    _invite(org, small, doctor)
    db.session.commit()
    proposals.submit(org.rep, declined)
    proposals.approve(org.pm, declined)
    invitees.decline(org.rep, declined, row)
    proposals.cancel(org.rep, cancelled)
    db.session.commit()
    year = counted.starts_at.astimezone(timezone(timedelta(hours=8))).year
    body = api_as(org.rep).get(f"/doctors/{doctor.id}/spend?year={year}").json
    assert body["doctor_id"] == doctor.id and body["year"] == year
    assert body["cap"] == "2000.00"
    assert body["meetings"] == [{"meeting_id": counted.id, "share": "133.33", "basis": "estimate"},
                                {"meeting_id": small.id, "share": "500.00", "basis": "estimate"}]  # in meeting order
    assert body["speaker_fees"] == "0.00"
    assert body["total"] == "633.33" and body["remaining"] == "1366.67"
    assert api_as(org.rep).get(f"/doctors/{doctor.id}/spend?year={year + 1}").json["total"] == "0.00"


def test_spend_is_an_estimate_until_the_summary_then_the_actual_share(org, held, make_doctor, api_as):
    from meetings.summary import services as summary

    doctor = make_doctor(org.hospital, "C")
    meeting = held(primaries=[doctor], present=[doctor], expected_attendees=10)
    api = api_as(org.rep)
    body = api.get(f"/doctors/{doctor.id}/spend").json
    assert body["total"] == "200.00"  # 2000 ÷ 10 expected
    assert body["meetings"] == [{"meeting_id": meeting.id, "share": "200.00", "basis": "estimate"}]
    summary.save_summary(org.rep, meeting, organization="顺利",
                         actual_spend=[{"category": "gifts", "amount": Decimal("1234.50")},
                                       {"category": "speaker_fee", "amount": Decimal("500")}])
    db.session.commit()
    body = api.get(f"/doctors/{doctor.id}/spend").json
    # the one doctor present takes the gifts; the speaker's fee is nobody's share
    assert body["meetings"] == [{"meeting_id": meeting.id, "share": "1234.50", "basis": "actual"}]
    assert body["total"] == "1234.50" and body["speaker_fees"] == "0.00"


def test_spend_refusals(org, make_doctor, make_hospital, api_as):
    doctor = make_doctor(org.hospital)
    elsewhere = make_doctor(make_hospital())
    assert api_as(org.rep).get(f"/doctors/{elsewhere.id}/spend").status_code == 404
    assert api_as(org.rep).get("/doctors/999999/spend").status_code == 404
    assert api_as(org.rep).get(f"/doctors/{doctor.id}/spend?year=1999").status_code == 422
    assert api_as(org.rep).get(f"/doctors/{doctor.id}/spend?year=abc").status_code == 422
    body = api_as(org.rep).get(f"/doctors/{doctor.id}/spend").json
    assert body["year"] == datetime.now(timezone(timedelta(hours=8))).year
    assert body["total"] == "0.00" and body["meetings"] == []


# ---------------------------------------------------------------- budgets and settling

def _pool(meeting):
    return db.session.scalar(db.select(BudgetPool).where(
        BudgetPool.province_id == meeting.province_id, BudgetPool.period == budget_period(meeting)))


def _summarise(org, meeting, amount, reason=None):
    from meetings.summary import services as summary

    summary.save_summary(org.rep, meeting, organization="顺利", overspend_reason=reason,
                         actual_spend=[{"category": "gifts", "amount": Decimal(amount)}])
    db.session.commit()


def test_budget_rows_show_allocated_drawn_actual_remaining(org, held, make_meeting, api_as):
    summarised = held()                       # draws 2000
    approved = make_meeting("approved")       # draws 2000
    period = budget_period(summarised)
    _summarise(org, summarised, "1500")       # 500 back to the pool
    api = api_as(org.pm)
    rows = [r for r in api.get(f"/reports/budgets?period={period}").json
            if r["province_id"] == org.province.id]
    same = budget_period(approved) == period
    # drawn: held for the approved meeting not yet settled; the summarised one
    # settled at its actual spend; the four always add up (docs/rules/9-budget.md)
    assert rows == [{"province_id": org.province.id, "period": period, "allocated": "50000.00",
                     "drawn": "2000.00" if same else "0.00", "actual": "1500.00",
                     "remaining": "46500.00" if same else "48500.00"}]
    row = rows[0]
    assert Decimal(row["allocated"]) == sum(Decimal(row[k]) for k in ("drawn", "actual", "remaining"))


def test_settling_returns_an_underspend_and_draws_an_overspend_even_below_zero(
        org, held, make_province, api_as):
    meeting = held()
    pool = _pool(meeting)
    pool.amount = Decimal("2000")  # the approval drew it all
    db.session.commit()
    _summarise(org, meeting, "1800")
    db.session.refresh(pool)
    assert pool.spent == Decimal("1800.00") and pool.remaining == Decimal("200.00")
    with pytest.raises(InvalidInput) as err:  # above the approved 2000: a reason is needed
        _summarise(org, meeting, "2300")
    assert err.value.field == "overspend_reason"
    db.session.rollback()
    _summarise(org, meeting, "2300", reason="多来了三位医生")
    db.session.refresh(pool)
    assert pool.spent == Decimal("2300.00") and pool.remaining == Decimal("-300.00")
    row = next(r for r in api_as(org.admin).get("/reports/budgets").json if r["period"] == pool.period
               and r["province_id"] == org.province.id)
    assert row["remaining"] == "-300.00" and row["actual"] == "2300.00" and row["drawn"] == "0.00"


def test_budget_rows_within_visibility(org, make_province, make_user, api_as):
    other = make_province()
    assert {r["province_id"] for r in api_as(org.pm).get("/reports/budgets").json} == {org.province.id}
    assert {r["province_id"] for r in api_as(org.admin).get("/reports/budgets").json} == \
        {org.province.id, other.id}
    assert api_as(org.rep).get("/reports/budgets").json == []
    assert api_as(org.pm).get("/reports/budgets?period=2026-Q5").status_code == 422
    assert api_as().get("/reports/budgets").status_code == 401
