"""Marketing's inbox: doctors' questions from summaries, and their answers,
which go back to the meeting's owner as a follow-up (SPEC §7)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..proposals.models import Meeting
from ..proposals.services import visible_meetings
from ..signals import question_answered
from ..types import utcnow
from .models import Question, QuestionStatus

ANSWERERS = {Role.marketing}
# SPEC §15: a question the doctor was not convinced by is answered again
ANSWERABLE = (QuestionStatus.open, QuestionStatus.needs_evidence)


def visible_questions(user: User, status: QuestionStatus | tuple | None = None,
                      meeting_id: int | None = None) -> Select:
    """Marketing and admin see every question; everyone else those of the
    meetings they see (a rep: their own meetings)."""
    query = select(Question)
    if user.role not in (Role.marketing, Role.admin):
        query = query.where(Question.meeting_id.in_(visible_meetings(user).with_only_columns(Meeting.id)))
    if isinstance(status, tuple):
        query = query.where(Question.status.in_(status))
    elif status is not None:
        query = query.where(Question.status == status)
    if meeting_id is not None:
        query = query.where(Question.meeting_id == meeting_id)
    # what a list shows of each question, loaded for the whole list at once
    return query.order_by(Question.created_at, Question.id).options(
        selectinload(Question.meeting).selectinload(Meeting.hospital), selectinload(Question.doctor))


def get_question(user: User, question_id: int, *, for_update: bool = False) -> Question:
    query = visible_questions(user).where(Question.id == question_id)
    if for_update:
        query = query.with_for_update(of=Question)
    question = db.session.scalar(query)
    if question is None:
        raise NotFound(_("question not found"))
    return question


def answer(actor: User, question: Question, *, answer: str) -> Question:
    """Marketing answers; the owner is given a task to relay the answer to
    the doctor who asked. Once — unless the doctor was not convinced (SPEC
    §15, needs_evidence): the new answer makes a new relay task."""
    if actor.role not in ANSWERERS:
        raise Forbidden(_("only marketing answers doctors' questions"))
    if question.status not in ANSWERABLE:
        raise Conflict(_("this question has already been answered"))
    if not (answer or "").strip():
        raise InvalidInput(_("write the answer"), field="answer")
    question.answer = answer.strip()
    question.status = QuestionStatus.answered
    question.answered_by_id = actor.id
    question.answered_at = utcnow()
    question.answer_round = (question.answer_round or 0) + 1
    question.resolved = question.resolved_at = None  # asked again at the next visit
    db.session.flush()
    question_answered.send(question)  # follow-ups: the owner relays the answer
    return question
