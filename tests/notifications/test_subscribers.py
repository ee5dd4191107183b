"""People are told what concerns them as the meeting moves (SPEC §8)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select

from meetings.extensions import db
from meetings.notifications.models import Notification
from meetings.proposals import services as proposals
from meetings.questions import services as questions
from meetings.summary import services as summaries
from tests.conftest import filled_summary

BIG = {"lines": [{"category": "meals", "amount": Decimal("1500")},
                 {"category": "venue", "amount": Decimal("6000")}]}


def told(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def kinds(user) -> list[str]:
    return [n.kind for n in told(user)]


def test_the_approver_is_told_when_a_proposal_waits_and_the_owner_when_it_is_decided(org, make_meeting):
    meeting = make_meeting("submitted")
    assert kinds(org.pm) == ["proposal_waiting"] and kinds(org.rm) == []
    proposals.approve(org.pm, meeting, "同意")
    assert kinds(org.rep) == ["proposal_approved"]
    with force_locale("zh"):
        assert told(org.rep)[0].words.lines[-1] == "意见：同意"


def test_above_the_limit_the_regional_manager_is_told_and_the_owner_only_at_the_end(org, make_meeting):
    meeting = make_meeting("submitted", budget=BIG)
    proposals.approve(org.pm, meeting)
    assert kinds(org.rm) == ["proposal_escalated"] and kinds(org.rep) == []
    proposals.approve(org.rm, meeting)
    assert kinds(org.rep) == ["proposal_approved"]


def test_a_provincial_managers_own_proposal_waits_for_the_regional_manager(org, make_meeting):
    make_meeting("submitted", owner=org.pm)
    assert kinds(org.rm) == ["proposal_waiting"] and kinds(org.pm) == []


def test_the_owner_is_told_of_a_return_and_a_rejection_with_the_comment(org, make_meeting):
    returned = make_meeting("submitted")
    proposals.return_(org.pm, returned, "请补充邀请名单")
    rejected = make_meeting("submitted")
    proposals.reject(org.pm, rejected, "预算过高")
    notes = told(org.rep)
    assert [n.kind for n in notes] == ["proposal_returned", "proposal_rejected"]
    with force_locale("en"):
        assert notes[0].words.lines == ["Comment: 请补充邀请名单"]


def test_marketing_is_told_of_a_question_and_the_rep_of_its_answer(org, make_meeting):
    meeting = make_meeting("held")
    summaries.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "能否合用?"}]))
    summaries.save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "能否合用?"}]))
    assert kinds(org.marketing) == ["question_arrived"]  # once, though the summary was saved twice
    question = summaries.questions_of(meeting)[0]
    questions.answer(org.marketing, question, answer="可以")
    answer = told(org.rep)[-1]
    assert answer.kind == "answer_ready" and answer.link == f"/meetings/{meeting.id}/summary"
    with force_locale("zh"):
        assert "答复：可以" in answer.words.lines
