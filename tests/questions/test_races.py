"""Answers and summaries racing from separate processes with their own
connections: row locks on PostgreSQL, BEGIN IMMEDIATE on SQLite."""

import pytest

from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind
from meetings.questions.models import Question, QuestionStatus
from meetings.summary.models import Summary
from meetings.summary.services import questions_of, save_summary
from tests.conftest import filled_summary
from tests.races import race

pytestmark = pytest.mark.real_commits  # processes of their own race on the database (tests/races.py)


def _run(user, action, target_id):
    from meetings.proposals.services import get_meeting
    from meetings.questions import services as questions
    from meetings.summary import services as summary

    if action == "answer":
        questions.answer(user, questions.get_question(user, target_id, for_update=True), answer="可以")
    else:
        summary.save_summary(user, get_meeting(user, target_id, for_update=True),
                             **filled_summary(questions=[{"text": "疗程多长?"}]))
    return "ok"


@pytest.mark.postgres
def test_a_question_answered_by_many_at_once_is_answered_and_relayed_once(app, org, make_meeting):
    meeting = make_meeting("held")
    save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "能否合用?"}]))
    db.session.commit()
    qid = questions_of(meeting)[0].id
    results = race(app, _run, [(org.marketing.id, "answer", qid)] * 6)
    assert sorted(results) == ["conflict"] * 5 + ["ok"]
    assert db.session.get(Question, qid).status == QuestionStatus.answered
    assert db.session.query(FollowUp).filter_by(kind=FollowUpKind.answer_relay).count() == 1


@pytest.mark.postgres
def test_a_summary_saved_twice_at_once_exists_once_with_its_question_once(app, org, make_meeting):
    meeting = make_meeting("held")
    results = race(app, _run, [(org.rep.id, "summary", meeting.id)] * 4)
    assert results == ["ok"] * 4
    assert db.session.query(Summary).count() == 1
    assert db.session.query(Question).count() == 1
