from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow


class FlagStatus(str, enum.Enum):
    open = "open"          # raised, not answered yet
    answered = "answered"  # answered, waiting for compliance
    resolved = "resolved"  # closed by compliance: no longer blocks anything


class Flag(db.Model):
    """A compliance officer's question about one meeting. Open until resolved;
    the status is read from the times, never stored apart from them."""

    __tablename__ = "meeting_flags"
    __table_args__ = (Index("ix_meeting_flags_meeting_id_resolved_at", "meeting_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship("Meeting")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    @property
    def status(self) -> FlagStatus:
        if self.resolved_at is not None:
            return FlagStatus.resolved
        return FlagStatus.answered if self.answered_at is not None else FlagStatus.open

    @property
    def open(self) -> bool:
        return self.resolved_at is None
