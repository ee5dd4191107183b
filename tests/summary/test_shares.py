"""Shares (SPEC §12): what each doctor is counted for a meeting, estimated
before the summary and actual after it; the meal cap per diner at the
summary; the annual cap on actual shares."""
from __future__ import annotations

from decimal import Decimal

import pytest

from meetings.checkin import services as checkin
from meetings.errors import ComplianceCapExceeded, InvalidInput
from meetings.extensions import db
from meetings.proposals import services as proposals
from meetings.summary import services
from meetings.summary.shares import meeting_shares, year_shares
from meetings.types import local_date
from tests.conftest import filled_summary

BUDGET = {"lines": [{"category": "meals", "amount": Decimal("1500")},
                    {"category": "gifts", "amount": Decimal("500")},
                    {"category": "speaker_fee", "amount": Decimal("1000")}]}


def _by_doctor(meeting):
    return {s.doctor_id: (s.basis, s.share) for s in meeting_shares(meeting.id)}


def test_before_the_summary_each_expected_invitee_is_counted_the_budget_less_the_speaker_fee(
        org, make_meeting, make_doctor):
    came, declined = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = make_meeting("approved", primaries=[came, declined], declined=[declined], budget=BUDGET,
                           expected_attendees=15)
    # (1500 + 500) ÷ 15; the speaker's 1000 is nobody's; a declined invitee has none
    assert _by_doctor(meeting) == {came.id: ("estimate", Decimal("133.33"))}


def test_once_summarised_meals_go_to_who_ate_the_rest_to_who_came_and_nothing_to_absentees(
        org, make_meeting, make_doctor):
    ate, ate_too, no_meal, absent, walk_in, voided = (make_doctor(org.hospital, "C") for _ in range(6))
    meeting = make_meeting("in_progress", primaries=[ate, ate_too, no_meal, absent], budget=BUDGET)
    checkin.check_in(org.staff, meeting, doctor_id=ate.id, meal_opt_in=True)
    checkin.check_in(org.staff, meeting, doctor_id=ate_too.id, meal_opt_in=True)
    checkin.check_in(org.staff, meeting, doctor_id=no_meal.id)
    checkin.check_in(org.staff, meeting, doctor_id=walk_in.id, meal_opt_in=True)  # not invited: counts
    mistake, _ = checkin.check_in(org.staff, meeting, doctor_id=voided.id, meal_opt_in=True)
    checkin.void_checkin(org.staff, meeting, mistake.id, "签错了")
    checkin.check_in(org.staff, meeting, name="进修护士", title="nurse")  # no doctor record: no share
    proposals.finish(org.rep, meeting)
    services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=[{"category": "meals", "amount": Decimal("900")},
                      {"category": "gifts", "amount": Decimal("300")},
                      {"category": "materials", "amount": Decimal("150")},
                      {"category": "speaker_fee", "amount": Decimal("50000")}],
        overspend_reason="讲者费按合同支付"))
    # meals 900 ÷ 3 who ate = 300; gifts and materials 450 ÷ 4 present = 112.50; the fee: nobody's
    assert _by_doctor(meeting) == {
        ate.id: ("actual", Decimal("412.50")), ate_too.id: ("actual", Decimal("412.50")),
        no_meal.id: ("actual", Decimal("112.50")), walk_in.id: ("actual", Decimal("412.50")),
        absent.id: ("actual", Decimal("0.00"))}


def test_cancelled_and_rejected_meetings_count_nothing(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    cancelled = make_meeting("approved", primaries=[doctor])
    proposals.cancel(org.rep, cancelled)
    rejected = make_meeting("submitted", primaries=[doctor])
    proposals.reject(org.pm, rejected, "不合规")
    year = local_date(cancelled.starts_at).year
    assert [s.meeting_id for s in year_shares([doctor.id], year)[doctor.id]
            if s.meeting_id in (cancelled.id, rejected.id)] == []


def test_meals_per_diner_may_equal_the_cap_not_exceed_it(org, make_meeting, app):
    meeting = make_meeting("held", diners=3)
    cap = app.config["MEAL_CAP_PER_HEAD"]
    with pytest.raises(ComplianceCapExceeded) as err:
        services.save_summary(org.rep, meeting, **filled_summary(
            actual_spend=[{"category": "meals", "amount": cap * 3 + Decimal("0.03")}]))
    assert err.value.field == "actual_spend"
    assert "300.01" in err.value.message and f"{cap}" in err.value.message  # both figures
    db.session.rollback()
    services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=[{"category": "meals", "amount": cap * 3}]))  # equal: allowed


def test_meals_nobody_ate_are_refused(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    meeting = make_meeting("held", primaries=[doctor], present=[doctor])  # came, did not eat
    with pytest.raises(InvalidInput) as err:
        services.save_summary(org.rep, meeting, **filled_summary(
            actual_spend=[{"category": "meals", "amount": Decimal("100")}]))
    assert err.value.field == "actual_spend" and "100.00" in err.value.message


def test_a_speakers_fee_never_reaches_a_listeners_annual_cap(org, make_meeting, make_doctor):
    listener = make_doctor(org.hospital, "C")
    meeting = make_meeting("held", primaries=[listener], present=[listener])
    services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=[{"category": "speaker_fee", "amount": Decimal("50000")}],
        overspend_reason="讲者费按合同支付"))  # not refused: the fee is the speaker's alone
    assert _by_doctor(meeting) == {listener.id: ("actual", Decimal("0.00"))}


def test_the_annual_cap_at_the_summary_counts_the_actual_share_of_who_came(org, make_meeting, make_doctor):
    came, absent = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = make_meeting("held", primaries=[came, absent], present=[came])
    with pytest.raises(ComplianceCapExceeded) as err:  # 2000.01 shared by the one doctor present
        services.save_summary(org.rep, meeting, **filled_summary(
            actual_spend=[{"category": "gifts", "amount": Decimal("2000.01")}], overspend_reason="多"))
    assert came.name in err.value.message
    db.session.rollback()
    services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=[{"category": "gifts", "amount": Decimal("2000.00")}]))
    assert _by_doctor(meeting)[absent.id] == ("actual", Decimal("0.00"))


def test_an_absent_invitee_is_no_longer_charged_once_the_meeting_is_summarised(org, make_meeting, make_doctor):
    from meetings.errors import ComplianceCapExceeded
    from meetings.invitees import services as invitees

    doctor = make_doctor(org.hospital, "C")
    venue = {"lines": [{"category": "venue", "amount": Decimal("2000")}]}
    missed = make_meeting("held", primaries=[doctor], expected_attendees=1, budget=venue)
    later = make_meeting(expected_attendees=1, budget=venue)
    with pytest.raises(ComplianceCapExceeded):  # the estimate of the first fills his year
        invitees.add_invitee(org.rep, later, doctor_id=doctor.id, role="primary")
    db.session.rollback()
    services.save_summary(org.rep, missed, **filled_summary(
        actual_spend=[{"category": "venue", "amount": Decimal("2000")}]))
    assert _by_doctor(missed) == {doctor.id: ("actual", Decimal("0.00"))}
    invitees.add_invitee(org.rep, later, doctor_id=doctor.id, role="primary")  # he never came: 0
