from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, UTCDateTime


class SegmentKind(str, enum.Enum):
    video = "video"
    talk = "talk"
    quiz = "quiz"
    qa = "qa"
    chief_review = "chief_review"
    closing = "closing"


class AgendaSegment(db.Model):
    """One step of the run-of-show: planned minutes, and the times it really
    started and finished (UTC), recorded on the day."""

    __tablename__ = "agenda_segments"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[SegmentKind] = mapped_column(enum_column(SegmentKind))
    title: Mapped[str] = mapped_column(String(200))
    planned_minutes: Mapped[int | None] = mapped_column()  # None: not timed (closing)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quiz = relationship("QuizItem", back_populates="segment", order_by="QuizItem.position",
                        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.finished_at is None


class QuizItem(db.Model):
    """A prize-quiz question prepared with its answer (有奖问答, 事先做好问题和答案的准备)."""

    __tablename__ = "agenda_quiz_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("agenda_segments.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column()
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)

    segment = relationship("AgendaSegment", back_populates="quiz")


class ChecklistItem(db.Model):
    """A line of the materials checklist. Default items carry a `key` (their
    label is translated when shown); items the owner adds carry a `label`."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    key: Mapped[str | None] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(200))
    ticked: Mapped[bool] = mapped_column(default=False)
    ticked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
