"""Follow-up tasks (SPEC §8). So far: relaying marketing's answer to the doctor
who asked; the scheduled visit tasks arrive with the jobs."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..types import local_date
from .models import FollowUp, FollowUpKind, FollowUpStatus

RELAY_WITHIN = timedelta(days=7)


def create_answer_relay(question) -> FollowUp:
    """The meeting's owner takes the answer back to the doctor who asked:
    due from the answer's (local) date, within a week. Exactly once per question."""
    existing = select(FollowUp).where(FollowUp.question_id == question.id,
                                      FollowUp.kind == FollowUpKind.answer_relay)
    day = local_date(question.answered_at)
    task = FollowUp(meeting_id=question.meeting_id, doctor_id=question.doctor_id,
                    question_id=question.id, assignee_id=question.meeting.owner_id,
                    kind=FollowUpKind.answer_relay, not_before=day, due_on=day + RELAY_WITHIN,
                    status=FollowUpStatus.open)
    try:
        with db.session.begin_nested():
            db.session.add(task)
    except IntegrityError:
        return db.session.scalar(existing)
    return task
