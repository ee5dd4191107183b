from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, UTCDateTime, utcnow


class QuestionStatus(str, enum.Enum):
    open = "open"
    answered = "answered"
    # SPEC §15: the doctor was not convinced; marketing gathers more evidence and answers again
    needs_evidence = "needs_evidence"


class QuestionSource(str, enum.Enum):
    """Where a question came from (SPEC §15): the summary's questions, a line
    of the chief's disputed points, or a visit."""
    summary = "summary"
    chief_review = "chief_review"
    visit = "visit"


class Question(db.Model):
    """A doctor's question raised at a meeting, sent to marketing with the summary."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(enum_column(QuestionStatus),
                                                   default=QuestionStatus.open, index=True)
    source: Mapped[QuestionSource] = mapped_column(enum_column(QuestionSource),
                                                   default=QuestionSource.summary,
                                                   server_default=QuestionSource.summary.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SPEC §15: asked at the next visit after the answer — resolved, or back to marketing
    resolved: Mapped[bool | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the rep's note when the doctor was not convinced: what evidence is missing
    evidence_note: Mapped[str | None] = mapped_column(Text)
    # how many times marketing answered (a new relay task per answer)
    answer_round: Mapped[int] = mapped_column(default=0, server_default="0")

    meeting = relationship("Meeting")
    doctor = relationship("Doctor")
    answered_by = relationship("User")
