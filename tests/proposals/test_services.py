from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import time_machine

from meetings.errors import (ComplianceCapExceeded, Forbidden, InvalidInput, InvalidTransition,
                             NoBudgetPool, NotFound, PoolExhausted, PreconditionsMissing, TooEarly)
from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals import services
from meetings.proposals.models import Status
from tests.conftest import meeting_data


def pool_of(meeting):
    return db.session.get(BudgetPool, meeting.drawn_pool_id) if meeting.drawn_pool_id else \
        db.session.query(BudgetPool).filter_by(province_id=meeting.province_id,
                                               period=services.budget_period(meeting)).one()


def test_create_makes_a_draft_owned_by_the_rep(org):
    meeting = services.create_meeting(org.rep, **meeting_data(org))
    assert meeting.status == Status.draft
    assert meeting.owner_id == org.rep.id
    assert meeting.province_id == org.province.id
    assert meeting.budget_total == Decimal("2000.00")
    assert len(meeting.checkin_token) >= 22  # ≥ 128 bits in URL-safe base64


def test_only_reps_and_provincial_managers_propose(org):
    with pytest.raises(Forbidden):
        services.create_meeting(org.staff, **meeting_data(org))


def test_hospital_must_be_in_the_reps_province(org, make_hospital):
    elsewhere = make_hospital()
    with pytest.raises(InvalidInput) as err:
        services.create_meeting(org.rep, **meeting_data(
            org, hospital_id=elsewhere.id, department_id=elsewhere.departments[0].id))
    assert err.value.field == "hospital_id"


def test_meal_cap_per_head_allows_the_cap_and_refuses_above(org):
    at_cap = meeting_data(org, expected_attendees=10,
                          budget={"lines": [{"category": "meals", "amount": Decimal("3000")}]})
    assert services.create_meeting(org.rep, **at_cap).status == Status.draft
    over = meeting_data(org, expected_attendees=10,
                        budget={"lines": [{"category": "meals", "amount": Decimal("3000.10")}]})
    with pytest.raises(ComplianceCapExceeded) as err:
        services.create_meeting(org.rep, **over)
    assert "300" in err.value.message and "300.01" in err.value.message


def test_sizing_warnings_are_advice_not_errors(org):
    meeting = services.create_meeting(org.rep, **meeting_data(
        org, expected_attendees=40, format="off_site", staff_ids=[]))
    warnings = services.meeting_sizing_warnings(meeting)
    assert [w.code for w in warnings] == ["audience_size", "company_staff", "off_site", "meals"]
    assert "40" in warnings[0]  # the words say the figure
    quiet = services.create_meeting(org.rep, **meeting_data(
        org, budget={"lines": [{"category": "gifts", "amount": Decimal("100")}]}))
    assert services.meeting_sizing_warnings(quiet) == []


def test_submit_names_the_missing_preconditions(org):
    meeting = services.create_meeting(org.rep, **meeting_data(
        org, preconditions={"supply_channel_open": True, "department_head_agreed": False,
                            "relations_ok": False}))
    with pytest.raises(PreconditionsMissing) as err:
        services.submit(org.rep, meeting)
    assert "科主任已同意" in err.value.message and "建立工作关系" in err.value.message
    assert "供货渠道" not in err.value.message
    assert "_" not in err.value.message  # words, never the precondition's code
    assert meeting.status == Status.draft


def test_only_the_owner_submits(org, make_meeting):
    meeting = make_meeting()
    with pytest.raises(Forbidden):
        services.submit(org.pm, meeting)


def test_approval_within_limit_draws_from_the_quarter_pool(org, make_meeting):
    meeting = make_meeting("submitted")
    before = pool_of(meeting).remaining
    services.approve(org.pm, meeting, "ok")
    assert meeting.status == Status.approved
    assert pool_of(meeting).remaining == before - Decimal("2000.00")
    assert meeting.history[-1].action == "approve"
    assert meeting.history[-1].actor_id == org.pm.id
    assert meeting.history[-1].comment == "ok"


def test_over_the_limit_goes_to_the_regional_manager(org, make_meeting):
    meeting = make_meeting("submitted", budget={"lines": [
        {"category": "venue", "amount": Decimal("6000")}]})
    services.approve(org.pm, meeting)
    assert meeting.status == Status.pending_regional
    assert pool_of(meeting).spent == 0  # nothing drawn yet
    services.approve(org.rm, meeting)
    assert meeting.status == Status.approved
    assert pool_of(meeting).spent == Decimal("6000.00")


def test_a_provincial_managers_own_proposal_goes_to_the_region(org, make_meeting):
    meeting = make_meeting(owner=org.pm, status="submitted")
    services.approve(org.pm, meeting)
    assert meeting.status == Status.pending_regional
    with pytest.raises(Forbidden):
        services.approve(org.pm, meeting)
    services.approve(org.rm, meeting)
    assert meeting.status == Status.approved


def test_nobody_approves_their_own_proposal(org, make_meeting, make_user):
    # a regional manager may not give final approval to what they own either
    meeting = make_meeting(owner=org.pm, status="submitted")
    meeting.owner_id = org.rm.id
    with pytest.raises(Forbidden):
        services.approve(org.rm, meeting)


def test_other_provinces_and_reps_cannot_approve(org, make_meeting, make_user, make_province):
    meeting = make_meeting("submitted")
    other_pm = make_user("provincial_manager", province=make_province())
    with pytest.raises(Forbidden):
        services.approve(other_pm, meeting)
    with pytest.raises(Forbidden):
        services.approve(org.rep, meeting)


def test_an_exhausted_pool_refuses_and_changes_nothing(org, make_meeting):
    meeting = make_meeting("submitted")
    pool = pool_of(meeting)
    pool.amount = Decimal("1999.99")
    db.session.commit()
    with pytest.raises(PoolExhausted):
        services.approve(org.pm, meeting)
    db.session.rollback()
    assert db.session.get(type(meeting), meeting.id).status == Status.submitted
    assert pool_of(meeting).spent == 0


def test_no_pool_for_the_quarter_refuses(org, make_meeting):
    meeting = make_meeting("submitted", starts_at=datetime(2031, 5, 1, 2, tzinfo=timezone.utc))
    with pytest.raises(NoBudgetPool):
        services.approve(org.pm, meeting)


def test_the_quarter_is_the_local_date_of_the_start(org, make_meeting):
    # 2026-12-31 17:00 UTC is 2027-01-01 01:00 in Shanghai: Q1 of 2027.
    meeting = make_meeting(starts_at=datetime(2026, 12, 31, 17, tzinfo=timezone.utc))
    assert services.budget_period(meeting) == "2027-Q1"


def test_cancel_returns_the_money(org, make_meeting):
    meeting = make_meeting("approved")
    pool = pool_of(meeting)
    assert pool.spent == Decimal("2000.00")
    services.cancel(org.rep, meeting, "doctor away")
    assert meeting.status == Status.cancelled
    db.session.refresh(pool)
    assert pool.spent == 0


def test_return_needs_a_comment_and_goes_back_to_draft(org, make_meeting):
    meeting = make_meeting("submitted")
    with pytest.raises(InvalidInput):
        services.return_(org.pm, meeting, "")
    services.return_(org.pm, meeting, "lower the meal budget")
    assert meeting.status == Status.draft
    assert meeting.history[-1].comment == "lower the meal budget"
    services.update_meeting(org.rep, meeting, topic="new topic")
    services.submit(org.rep, meeting)
    assert meeting.status == Status.submitted


def test_reject_is_final(org, make_meeting):
    meeting = make_meeting("submitted")
    services.reject(org.pm, meeting, "no")
    assert meeting.status == Status.rejected
    with pytest.raises(InvalidTransition):
        services.approve(org.pm, meeting)


def test_only_drafts_are_edited(org, make_meeting):
    meeting = make_meeting("submitted")
    with pytest.raises(InvalidTransition):
        services.update_meeting(org.rep, meeting, topic="x")


def test_start_is_refused_earlier_than_two_hours_before(org, make_meeting):
    starts = datetime(2026, 12, 10, 6, 0, tzinfo=timezone.utc)
    meeting = make_meeting("approved", starts_at=starts)
    with time_machine.travel(starts - timedelta(hours=2, minutes=1), tick=False), pytest.raises(TooEarly):
        services.start(org.rep, meeting)
    with time_machine.travel(starts - timedelta(hours=2), tick=False):
        services.start(org.staff, meeting)
    assert meeting.status == Status.in_progress
    services.finish(org.pm, meeting)  # the speaker
    assert meeting.status == Status.held


def test_start_and_finish_only_by_those_who_run_the_meeting(org, make_meeting, make_user):
    meeting = make_meeting("approved", starts_at=datetime.now(timezone.utc))
    with pytest.raises(Forbidden):
        services.start(org.marketing, meeting)
    with pytest.raises(Forbidden):
        services.start(org.rm, meeting)


def test_wrong_states_are_conflicts(org, make_meeting):
    draft = make_meeting()
    for action in ("approve", "reject", "start", "finish", "close"):
        with pytest.raises((InvalidTransition, Forbidden)):
            services.ACTIONS[action](org.pm if action in ("approve", "reject") else org.rep, draft)
    held = make_meeting("held")
    with pytest.raises(InvalidTransition):
        services.cancel(org.rep, held)
    with pytest.raises(InvalidTransition):
        services.close(org.rep, held)  # needs the summary first


def test_visibility(org, make_meeting, make_user, make_province):
    mine = make_meeting()
    other_rep = make_user("rep", province=org.province)
    with pytest.raises(NotFound):
        services.get_meeting(other_rep, mine.id)
    for user in (org.rep, org.pm, org.staff, org.rm, org.marketing, org.admin):
        assert services.get_meeting(user, mine.id) is mine
    other_province = make_province()
    for role in ("provincial_manager", "staff"):
        with pytest.raises(NotFound):
            services.get_meeting(make_user(role, province=other_province), mine.id)
    with pytest.raises(NotFound):
        services.get_meeting(make_user("regional_manager", region=other_province.region), mine.id)


def test_every_transition_is_in_the_history(org, make_meeting):
    meeting = make_meeting("held")
    steps = [(t.action, t.from_status, t.to_status) for t in meeting.history]
    assert steps == [
        ("create", Status.draft, Status.draft),
        ("submit", Status.draft, Status.submitted),
        ("approve", Status.submitted, Status.approved),
        ("start", Status.approved, Status.in_progress),
        ("finish", Status.in_progress, Status.held),
    ]
    assert all(t.at is not None and t.actor_id for t in meeting.history)
