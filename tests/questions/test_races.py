"""Answers and summaries racing from separate processes with their own
connections: row locks on PostgreSQL, BEGIN IMMEDIATE on SQLite."""
import multiprocessing
from tests.conftest import filled_summary

import pytest

from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.questions.models import Question, QuestionStatus
from meetings.summary.models import Summary
from meetings.summary.services import questions_of, save_summary


def _run(args):
    url, action, user_id, target_id, barrier = args
    from meetings import create_app
    from meetings.auth.models import User
    from meetings.errors import DomainError
    from meetings.proposals.services import get_meeting
    from meetings.questions import services as questions
    from meetings.summary import services as summary

    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.rollback()
        barrier.wait(timeout=60)
        try:
            if action == "answer":
                questions.answer(user, questions.get_question(user, target_id, for_update=True),
                                 answer="可以")
            else:
                summary.save_summary(user, get_meeting(user, target_id, for_update=True), **filled_summary(questions=[{"text": "疗程多长?"}]))
            db.session.commit()
            return "ok"
        except DomainError as exc:
            db.session.rollback()
            return exc.reason
        finally:
            db.engine.dispose()


def _race(app, jobs):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with ctx.Pool(len(jobs)) as pool:
            return pool.map(_run, [(url, *job, barrier) for job in jobs])


@pytest.mark.postgres
def test_a_question_answered_by_many_at_once_is_answered_and_relayed_once(app, org, make_meeting):
    meeting = make_meeting("held")
    save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "能否合用?"}]))
    db.session.commit()
    qid = questions_of(meeting)[0].id
    results = _race(app, [("answer", org.marketing.id, qid)] * 6)
    assert sorted(results) == ["conflict"] * 5 + ["ok"]
    assert db.session.get(Question, qid).status == QuestionStatus.answered
    assert db.session.query(FollowUp).count() == 1


@pytest.mark.postgres
def test_a_summary_saved_twice_at_once_exists_once_with_its_question_once(app, org, make_meeting):
    meeting = make_meeting("held")
    results = _race(app, [("summary", org.rep.id, meeting.id)] * 4)
    assert results == ["ok"] * 4
    assert db.session.query(Summary).count() == 1
    assert db.session.query(Question).count() == 1
