from datetime import date, datetime, timezone
from tests.conftest import filled_summary

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from meetings.errors import Conflict, Forbidden, InvalidInput, NotFound
from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from meetings.followups.services import create_answer_relay
from meetings.questions import services
from meetings.questions.models import QuestionStatus
from meetings.summary.services import questions_of, save_summary


@pytest.fixture
def asked(make_meeting, make_doctor, org):
    meeting = make_meeting("held")
    doctor = make_doctor(org.hospital)
    save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "能否与他汀合用?", "doctor_id": doctor.id}]))
    db.session.commit()
    return questions_of(meeting)[0]


def test_marketing_answers_and_the_owner_gets_a_relay_task(asked, org):
    # 23:30 on 1 Dec in UTC is already 2 Dec in Shanghai: the local date counts
    with time_machine.travel(datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc), tick=False):
        services.answer(org.marketing, asked, answer="可以, 无相互作用")
    db.session.commit()
    assert asked.status == QuestionStatus.answered and asked.answered_by_id == org.marketing.id
    # the meeting's own visits and gifts aside
    task = db.session.query(FollowUp).filter_by(kind=FollowUpKind.answer_relay).one()
    assert (task.kind, task.assignee_id, task.doctor_id, task.question_id, task.meeting_id) == \
        (FollowUpKind.answer_relay, org.rep.id, asked.doctor_id, asked.id, asked.meeting_id)
    assert (task.not_before, task.due_on) == (date(2026, 12, 2), date(2026, 12, 9))
    assert task.status == FollowUpStatus.open and task.subject == f"q:{asked.id}"


def test_a_question_is_answered_once(asked, org):
    services.answer(org.marketing, asked, answer="是")
    with pytest.raises(Conflict):
        services.answer(org.marketing, asked, answer="否")


def test_only_marketing_answers(asked, org):
    for user in (org.rep, org.admin, org.pm):
        with pytest.raises(Forbidden):
            services.answer(user, asked, answer="是")


def test_an_answer_is_not_blank(asked, org):
    with pytest.raises(InvalidInput):
        services.answer(org.marketing, asked, answer="   ")


def test_the_relay_task_exists_once_per_question(asked, org):
    services.answer(org.marketing, asked, answer="是")
    again = create_answer_relay(asked)
    assert db.session.query(FollowUp).filter_by(kind=FollowUpKind.answer_relay).count() == 1
    assert again.question_id == asked.id


def test_followup_unique_keys(asked, org):
    """Jobs rely on these: one task per meeting, person and kind; one relay per question."""
    scheduled = db.session.query(FollowUp).count()  # the held meeting's own (its guest's gift)

    def task(**kw):
        values = dict(meeting_id=asked.meeting_id, assignee_id=org.rep.id, kind=FollowUpKind.visit,
                      not_before=date(2026, 12, 2), due_on=date(2026, 12, 9))
        values.update(kw)
        return FollowUp(**values)

    for kwargs in ({"doctor_id": asked.doctor_id}, {"walk_in_name": "王护士"},
                   {"question_id": asked.id, "kind": FollowUpKind.answer_relay}):
        db.session.add(task(**kwargs))
        db.session.commit()
        db.session.add(task(**kwargs))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add(task(doctor_id=asked.doctor_id, kind=FollowUpKind.gift_delivery))
    db.session.add(task(walk_in_name="李医生"))
    db.session.commit()
    assert db.session.query(FollowUp).count() == scheduled + 5


def test_visibility(asked, org, make_user, make_province):
    assert [q.id for q in db.session.scalars(services.visible_questions(org.marketing))] == [asked.id]
    assert [q.id for q in db.session.scalars(services.visible_questions(org.rep))] == [asked.id]
    other_rep = make_user("rep", province=org.province)
    assert list(db.session.scalars(services.visible_questions(other_rep))) == []
    with pytest.raises(NotFound):
        services.get_question(other_rep, asked.id)
    assert list(db.session.scalars(services.visible_questions(
        org.admin, status=QuestionStatus.answered))) == []
