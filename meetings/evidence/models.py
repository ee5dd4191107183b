"""Attachments of a meeting (SPEC §12): the row holds what the body is (type,
size, SHA-256) and who brought it; the body lives in the file store under its
SHA-256 (meetings/files)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..proposals.models import BudgetCategory
from ..types import Money, UTCDateTime, enum_column, utcnow


class AttachmentKind(str, enum.Enum):
    receipt = "receipt"            # 发票
    photo = "photo"                # the meeting taking place
    signin_scan = "signin_scan"    # the signed paper sheet
    material_used = "material_used"
    other = "other"


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        # SPEC §12: one invoice number on one live receipt, in any meeting. The
        # database decides (two uploads racing both pass any check before it).
        Index("uq_attachments_invoice_no_live", "invoice_no", unique=True,
              sqlite_where=text("kind = 'receipt' AND voided_at IS NULL"),
              postgresql_where=text("kind = 'receipt' AND voided_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when the photo was taken (its EXIF capture time), kept after the metadata is stripped
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a receipt's: the budget category it pays, its amount, number and date
    category: Mapped[BudgetCategory | None] = mapped_column(enum_column(BudgetCategory))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    invoice_no: Mapped[str | None] = mapped_column(String(40))
    issued_on: Mapped[date | None] = mapped_column(Date)
    # after close an attachment comes only with a reason (SPEC §12)
    late_reason: Mapped[str | None] = mapped_column(String(500))
    # never deleted: voided with a reason, it leaves every check
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(String(500))

    meeting = relationship("Meeting")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    voided_by = relationship("User", foreign_keys=[voided_by_id])

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def late(self) -> bool:
        return self.late_reason is not None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
