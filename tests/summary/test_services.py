from datetime import datetime, timedelta, timezone
from decimal import Decimal
from tests.conftest import filled_summary

import pytest
import time_machine

from meetings.agenda import services as agenda
from meetings.errors import ComplianceCapExceeded, Forbidden, InvalidInput, InvalidTransition, NotFound
from meetings.extensions import db
from meetings.proposals.models import Status
from meetings.questions.models import Question, QuestionStatus
from meetings.summary import services


def spend(**lines):
    return [{"category": c, "amount": Decimal(a)} for c, a in lines.items()]


def test_summary_moves_a_held_meeting_to_summarized(make_meeting, org):
    meeting = make_meeting("held", diners=5)
    summary = services.save_summary(org.rep, meeting, **filled_summary(
        organization="准时开始", feedback="反响好", actual_spend=spend(meals="1200", gifts="600")))
    assert meeting.status == Status.summarized
    assert meeting.history[-1].action == "summary" and meeting.history[-1].actor_id == org.rep.id
    assert summary.actual_total == Decimal("1800.00") and summary.organization == "准时开始"


def test_only_the_owner_writes_the_summary(make_meeting, org):
    meeting = make_meeting("held", diners=5)
    for other in (org.pm, org.staff, org.marketing):
        with pytest.raises(Forbidden):
            services.save_summary(other, meeting, **filled_summary())


@pytest.mark.parametrize("status", ["draft", "approved", "in_progress"])
def test_only_a_held_meeting_is_summarized(make_meeting, org, status):
    with pytest.raises(InvalidTransition):
        services.save_summary(org.rep, make_meeting(status), **filled_summary())


def test_a_closed_meeting_summary_is_final(make_meeting, org, app):
    from meetings.proposals import services as proposals
    meeting = make_meeting("held", diners=5)
    services.save_summary(org.rep, meeting, **filled_summary(actual_spend=spend(gifts="0")))
    app.config["EVIDENCE_PHOTOS_MIN"] = 0  # the evidence the close gate asks for is tests/evidence's
    proposals.close(org.rep, meeting)
    with pytest.raises(InvalidTransition):
        services.save_summary(org.rep, meeting, **filled_summary())


def test_actual_meals_over_the_cap_per_doctor_who_ate_are_refused(make_meeting, org):
    meeting = make_meeting("held", expected_attendees=10, diners=10)
    services.save_summary(org.rep, meeting, **filled_summary(  # 300 per head: the cap
        actual_spend=spend(meals="3000"), overspend_reason="到会医生多于预期，加订了餐"))
    with pytest.raises(ComplianceCapExceeded) as err:
        services.save_summary(org.rep, meeting, **filled_summary(
            actual_spend=spend(meals="3000.10"), overspend_reason="到会医生多于预期，加订了餐"))
    assert err.value.field == "actual_spend"
    assert "300.01" in err.value.message and "300" in err.value.message
    db.session.rollback()


def test_question_doctor_must_work_at_the_meetings_hospital(make_meeting, make_doctor,
                                                              make_hospital, org):
    meeting = make_meeting("held", diners=5)
    elsewhere = make_doctor(make_hospital(province=org.province))
    with pytest.raises(InvalidInput) as err:
        services.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "ok", "doctor_id": None},
                                                           {"text": "?", "doctor_id": elsewhere.id}]))
    assert err.value.field == "questions.1.doctor_id"
    with pytest.raises(InvalidInput):
        services.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "?", "doctor_id": 99999}]))
    assert meeting.status == Status.held


def test_each_question_goes_to_marketing_once(make_meeting, make_doctor, org):
    meeting = make_meeting("held", diners=5)
    doctor = make_doctor(org.hospital)
    asked = [{"text": "肾功能不全能用吗?", "doctor_id": doctor.id}, {"text": "疗程多长?"}]
    services.save_summary(org.rep, meeting, **filled_summary(questions=asked))
    db.session.commit()
    first = {q.text: q.id for q in services.questions_of(meeting)}
    assert len(first) == 2 and all(q.status == QuestionStatus.open for q in services.questions_of(meeting))
    services.save_summary(org.rep, meeting, **filled_summary(questions=[*asked, {"text": "儿童剂量?"}],
                                                             next_steps="下周回访"))
    db.session.commit()
    again = {q.text: q.id for q in services.questions_of(meeting)}
    assert len(again) == 3 and {k: again[k] for k in first} == first
    assert meeting.status == Status.summarized and meeting.history[-1].action == "summary_edit"


def test_rewriting_withdraws_open_questions_but_keeps_answered_ones(make_meeting, org):
    meeting = make_meeting("held", diners=5)
    services.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "A?"}, {"text": "B?"}]))
    answered = db.session.query(Question).filter_by(text="A?").one()
    answered.status, answered.answer = QuestionStatus.answered, "yes"
    db.session.commit()
    services.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "C?"}]))
    assert sorted(q.text for q in services.questions_of(meeting)) == ["A?", "C?"]


def test_budget_report_reconciles_actual_against_approved(make_meeting, org):
    meeting = make_meeting("held", diners=5)  # approved: meals 1500, gifts 500
    summary = services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=spend(meals="1300.50", gifts="650", venue="100"), overspend_reason="到会医生多于预期，加订了餐"))
    figures = services.budget_report(meeting, summary)
    assert figures["approved_total"] == Decimal("2000.00")
    assert figures["actual_total"] == Decimal("2050.50")
    assert figures["variance"] == Decimal("50.50")
    by = {row["category"].value: row for row in figures["by_category"]}
    assert by["meals"]["variance"] == Decimal("-199.50")
    assert by["gifts"]["variance"] == Decimal("150.00")
    assert by["venue"]["approved"] == Decimal("0.00") and by["venue"]["variance"] == Decimal("100.00")


def test_report_carries_agenda_planned_vs_actual(make_meeting, org):
    from meetings.proposals import services as proposals
    meeting = make_meeting("in_progress")
    video, talk, *_ = agenda.agenda(meeting)
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(t0, tick=False):
        agenda.start_segment(org.rep, meeting, video)
    with time_machine.travel(t0 + timedelta(minutes=5), tick=False):
        agenda.start_segment(org.rep, meeting, talk)
    with time_machine.travel(t0 + timedelta(minutes=25), tick=False):
        agenda.finish_segment(org.rep, meeting, talk)
    proposals.finish(org.rep, meeting)
    services.save_summary(org.rep, meeting, **filled_summary())
    report = services.report(meeting)
    assert report["agenda"]["planned_total_minutes"] == 30
    assert report["agenda"]["actual_total_seconds"] == 25 * 60
    assert report["agenda"]["overrun_total_seconds"] == 5 * 60


def test_report_of_a_meeting_without_summary_is_not_found(make_meeting):
    with pytest.raises(NotFound):
        services.report(make_meeting("held"))


def test_the_report_carries_the_check_in_figures(make_meeting, make_doctor, org):
    came, stayed_away = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "D")
    meeting = make_meeting("held", primaries=[came, stayed_away], present=[came])
    services.save_summary(org.rep, meeting, **filled_summary())
    figures = services.report(meeting)["attendance"]
    assert figures["expected"] == 2 and figures["present"] == 1 and figures["attendance_rate"] == 0.5


def test_actual_spend_answers_to_the_doctors_annual_cap(org, make_meeting, make_doctor):
    from meetings.checkin import services as checkin
    from meetings.invitees import services as invitees
    from meetings.proposals import services as proposals

    doctor = make_doctor(org.hospital, "C")
    meeting = make_meeting(expected_attendees=1,
                           budget={"lines": [{"category": "venue", "amount": Decimal("1000")}]},
                           starts_at=datetime.now(timezone.utc))
    invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
    for action in ("submit", "approve", "start"):
        proposals.ACTIONS[action](org.pm if action == "approve" else org.rep, meeting)
    checkin.check_in(org.rep, meeting, doctor_id=doctor.id)  # present: the venue is shared by who came
    proposals.finish(org.rep, meeting)
    with pytest.raises(ComplianceCapExceeded) as err:  # 2000.01 ÷ 1 doctor present > 2000 a year
        services.save_summary(org.rep, meeting, **filled_summary(actual_spend=[
            {"category": "venue", "amount": Decimal("2000.01")}], overspend_reason="到会医生多于预期，加订了餐"))
    assert doctor.name in err.value.message and "2000" in err.value.message
    summary = services.save_summary(org.rep, meeting, **filled_summary(actual_spend=[
        {"category": "venue", "amount": Decimal("2000.00")}], overspend_reason="到会医生多于预期，加订了餐"))
    assert summary.actual_total == Decimal("2000.00")


def test_a_summary_says_how_it_was_organised_and_what_it_cost(make_meeting, org):
    meeting = make_meeting("held", diners=5)
    with pytest.raises(InvalidInput) as err:
        services.save_summary(org.rep, meeting, **filled_summary(organization="  "))
    assert err.value.field == "organization"
    with pytest.raises(InvalidInput) as err:
        services.save_summary(org.rep, meeting, **filled_summary(actual_spend=[]))
    assert err.value.field == "actual_spend"
    assert meeting.status == Status.held


def test_spending_above_the_approved_total_needs_a_reason(make_meeting, org):
    meeting = make_meeting("held", diners=7)  # approved: 2000; 2100 ÷ 7 diners = the meal cap
    with pytest.raises(InvalidInput) as err:
        services.save_summary(org.rep, meeting, **filled_summary(actual_spend=spend(meals="2000.01")))
    assert err.value.field == "overspend_reason" and "2000.01" in err.value.message
    services.save_summary(org.rep, meeting, **filled_summary(actual_spend=spend(meals="2000.00")))  # equal: fine
    summary = services.save_summary(org.rep, meeting, **filled_summary(
        actual_spend=spend(meals="2100"), overspend_reason="到会医生多于预期"))
    assert summary.overspend_reason == "到会医生多于预期"
