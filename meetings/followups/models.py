from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, case, cast, func, literal
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, UTCDateTime, utcnow


class FollowUpKind(str, enum.Enum):
    visit = "visit"
    gift_delivery = "gift_delivery"
    answer_relay = "answer_relay"


class FollowUpStatus(str, enum.Enum):
    open = "open"
    done = "done"


class Outcome(str, enum.Enum):
    committed = "committed"
    ambiguous = "ambiguous"
    declined = "declined"


def subject_key(doctor_id: int | None, walk_in_name: str | None, question_id: int | None,
                answer_round: int = 1) -> str:
    """Whom a task is about, as one non-null value the unique key can use:
    the question (and which of its answers) for an answer relay, else the doctor, else the walk-in's name.
    (NULLs never collide in a unique constraint, so nullable columns alone
    could not make the jobs' inserts exactly-once.)"""
    if question_id is not None:
        return f"q:{question_id}" if answer_round <= 1 else f"q:{question_id}:{answer_round}"
    if doctor_id is not None:
        return f"d:{doctor_id}"
    return f"w:{walk_in_name or ''}"


def subject_clause(doctor_id, walk_in_name):
    """`subject_key` in SQL, for tasks inserted with INSERT … SELECT (no
    question): "d:<doctor>", else "w:<walk-in's name>"."""
    return case((doctor_id.is_not(None), literal("d:") + cast(doctor_id, String)),
                else_=literal("w:") + func.coalesce(walk_in_name, ""))


def _subject_default(context) -> str:
    params = context.get_current_parameters()
    return subject_key(params.get("doctor_id"), params.get("walk_in_name"), params.get("question_id"))


class FollowUp(db.Model):
    """A task after the meeting (SPEC §8). Jobs insert these with
    INSERT … ON CONFLICT DO NOTHING (or catch IntegrityError): the unique keys
    make every task exist once — per meeting, person and kind, and per question."""

    __tablename__ = "followups"
    __table_args__ = (
        # one relay per question and answer: its subject is "q:<question>"
        # (":<round>" from marketing's second answer on, SPEC §15)
        UniqueConstraint("meeting_id", "subject", "kind"),
        Index("ix_followups_question_id", "question_id"),  # a question's relays
        # a rep's tasks by due date; open tasks past due (lists, dashboard, escalation)
        Index("ix_followups_assignee_id_due_on", "assignee_id", "due_on"),
        Index("ix_followups_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"))
    walk_in_name: Mapped[str | None] = mapped_column(String(120))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    # set from the three above when not given (also for Core inserts)
    subject: Mapped[str] = mapped_column(String(140), default=_subject_default)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[FollowUpKind] = mapped_column(enum_column(FollowUpKind))
    not_before: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[FollowUpStatus] = mapped_column(enum_column(FollowUpStatus),
                                                   default=FollowUpStatus.open)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    notes: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The new question the visit brought back for marketing (at most one).
    raised_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    # When the manager(s) were told the task is overdue (escalate_overdue).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")
    doctor = relationship("Doctor")
    question = relationship("Question", foreign_keys=[question_id])
    raised_question = relationship("Question", foreign_keys=[raised_question_id])
    assignee = relationship("User")
