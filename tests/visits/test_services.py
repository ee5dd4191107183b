from datetime import timedelta

import pytest
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.auth.models import Role
from meetings.errors import Forbidden, InvalidInput
from meetings.extensions import db
from meetings.notifications.models import Notification
from meetings.questions.models import Question, QuestionSource
from meetings.types import utcnow
from meetings.visits import services
from meetings.visits.models import Visit

from .conftest import meeting_day, on


def record(actor, doctor, **kw):
    values = dict(doctor_id=doctor.id, visited_at=utcnow() - timedelta(hours=1), minutes=20,
                  purpose="介绍新适应症", outcome="ambiguous", stage="aware")
    values.update(kw)
    return services.create_visit(actor, **values)


def test_a_rep_records_a_visit_and_the_log_keeps_ids_and_codes_only(org, make_doctor):
    doctor = make_doctor(org.hospital, "A")
    visit = record(org.rep, doctor, key_message="每日一次", next_step="送文献", notes="主任很忙")
    db.session.commit()
    assert visit.rep_id == org.rep.id and visit.minutes == 20 and visit.stage.value == "aware"
    entry = db.session.scalar(select(ActionLogEntry).where(ActionLogEntry.object_type == "visit"))
    assert entry.action == "create" and entry.object_id == visit.id and entry.actor_id == org.rep.id
    assert entry.after["doctor_id"] == doctor.id and "notes" not in entry.after and "主任很忙" not in str(entry.after)


@pytest.mark.parametrize("minutes", [4, 121, 0, True])
def test_minutes_between_5_and_120(org, make_doctor, minutes):
    with pytest.raises(InvalidInput) as refused:
        record(org.rep, make_doctor(org.hospital), minutes=minutes)
    assert refused.value.field == "minutes"


@pytest.mark.parametrize("minutes", [5, 120])
def test_minutes_at_the_bounds_are_taken(org, make_doctor, minutes):
    assert record(org.rep, make_doctor(org.hospital), minutes=minutes).minutes == minutes


def test_a_visit_is_not_in_the_future_nor_more_than_30_days_back(org, make_doctor):
    doctor = make_doctor(org.hospital)
    for when in (utcnow() + timedelta(minutes=30), utcnow() - timedelta(days=30, minutes=1)):
        with pytest.raises(InvalidInput) as refused:
            record(org.rep, doctor, visited_at=when)
        assert refused.value.field == "visited_at"
    assert record(org.rep, doctor, visited_at=utcnow() - timedelta(days=29, hours=23)).id
    assert record(org.rep, doctor, visited_at=utcnow()).id


def test_the_rep_visits_only_doctors_they_may_see(org, make_doctor, make_hospital, make_province):
    elsewhere = make_doctor(make_hospital(province=make_province()))
    for doctor_id in (elsewhere.id, 10**6):
        with pytest.raises(InvalidInput) as refused:
            record(org.rep, elsewhere, doctor_id=doctor_id)
        assert refused.value.field == "doctor_id"
    assert db.session.query(Visit).count() == 0


def test_only_the_field_force_records_visits(org, make_doctor):
    doctor = make_doctor(org.hospital)
    for person in (org.staff, org.marketing, org.admin):
        with pytest.raises(Forbidden):
            record(person, doctor)
    assert record(org.pm, doctor).rep_id == org.pm.id


@pytest.mark.parametrize("field,value", [("outcome", "maybe"), ("stage", "fan"), ("purpose", "  "),
                                         ("outcome", None)])
def test_codes_and_the_purpose_are_checked(org, make_doctor, field, value):
    with pytest.raises(InvalidInput) as refused:
        record(org.rep, make_doctor(org.hospital), **{field: value})
    assert refused.value.field == field


def test_a_new_question_from_a_visit_goes_to_marketing_as_source_visit(org, make_doctor, met):
    doctor = make_doctor(org.hospital, "A")
    meeting = met(doctor)
    with on(meeting_day(meeting) + timedelta(days=10)):
        visit = record(org.rep, doctor, question="和华法林合用要减量吗？")
        db.session.commit()
    question = db.session.get(Question, visit.question_id)
    assert question.source == QuestionSource.visit and question.meeting_id == meeting.id
    assert question.doctor_id == doctor.id and question.status.value == "open"
    told = db.session.query(Notification).filter_by(user_id=org.marketing.id, key=f"question:{question.id}")
    assert told.count() == 1


def test_a_question_needs_a_meeting_the_doctor_attended(org, make_doctor):
    with pytest.raises(InvalidInput) as refused:
        record(org.rep, make_doctor(org.hospital), question="剂量？")
    assert refused.value.field == "question"
    assert db.session.query(Question).count() == 0 and db.session.query(Visit).count() == 0


def test_who_sees_which_visits(org, make_doctor, make_user, make_province, make_hospital):
    doctor = make_doctor(org.hospital)
    visit = record(org.rep, doctor)
    other = make_province(region=org.region)
    other_rep = make_user(Role.rep, province=other)
    theirs = record(other_rep, make_doctor(make_hospital(province=other)))
    db.session.commit()

    def seen(user):
        return {v.id for v in db.session.scalars(services.list_visits(user))}
    assert seen(org.rep) == {visit.id}
    assert seen(org.pm) == {visit.id}
    assert seen(org.rm) == {visit.id, theirs.id}
    assert seen(org.marketing) == {visit.id, theirs.id}
    assert seen(make_user(Role.rep, province=org.province)) == set()


def test_erasing_a_doctor_clears_the_call_plans_and_notes_and_keeps_the_visits(org, make_doctor):
    from meetings.privacy.services import erase_doctor, export_doctor
    doctor = make_doctor(org.hospital, name="钱主任")
    visit = record(org.rep, doctor, purpose="给钱主任送文献", key_message="每日一次", next_step="再访",
                   notes="钱主任喜欢早上")
    db.session.commit()
    assert export_doctor(org.admin, doctor.id)["visits"][0]["notes"] == "钱主任喜欢早上"
    erase_doctor(org.admin, doctor.id, "本人要求")
    db.session.commit()
    visit = db.session.get(Visit, visit.id)
    assert visit.notes is None and visit.key_message is None and visit.next_step is None
    assert "钱主任" not in visit.purpose and visit.minutes == 20 and visit.outcome.value == "ambiguous"
