from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..proposals.models import BudgetCategory
from ..types import enum_column, Money, UTCDateTime, utcnow


class Summary(db.Model):
    """会议总结表 (the manual's 附表3): one per meeting."""

    __tablename__ = "summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    organization: Mapped[str | None] = mapped_column(Text)    # 会议的组织
    agenda_notes: Mapped[str | None] = mapped_column(Text)    # 会议议程的控制
    feedback: Mapped[str | None] = mapped_column(Text)        # 医生的反响
    chief_endorsed: Mapped[str | None] = mapped_column(Text)  # 科主任点评: 认同
    chief_disputed: Mapped[str | None] = mapped_column(Text)  # 科主任点评: 质疑
    next_steps: Mapped[str | None] = mapped_column(Text)      # 下一步工作方案
    # SPEC §3: actual spend above the approved total needs a written reason
    overspend_reason: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")
    author = relationship("User")
    spend_lines = relationship("SpendLine", back_populates="summary", order_by="SpendLine.id",
                               cascade="all, delete-orphan", passive_deletes=True)

    @property
    def actual_total(self) -> Decimal:
        return sum((line.amount for line in self.spend_lines), Decimal("0.00"))

    def actual_on(self, category: BudgetCategory) -> Decimal:
        return sum((line.amount for line in self.spend_lines if line.category == category), Decimal("0.00"))


class SpendLine(db.Model):
    """Actual spend per budget line, reconciled against the approved budget."""

    __tablename__ = "summary_spend_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"), index=True)
    category: Mapped[BudgetCategory] = mapped_column(enum_column(BudgetCategory))
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(200))

    summary = relationship("Summary", back_populates="spend_lines")
