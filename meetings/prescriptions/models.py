from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class Prescription(db.Model):
    """Boxes one doctor prescribed of one product in one month. The unique key
    is what makes an import an upsert: the same file twice changes nothing."""

    __tablename__ = "prescriptions"
    __table_args__ = (
        UniqueConstraint("doctor_id", "month", "product"),
        CheckConstraint("boxes >= 0", name="boxes_not_negative"),
        # No other index: the unique key serves the import's lookups, the
        # effect's per-doctor month ranges and the list's order. (An index on
        # month and product tempted PostgreSQL away from it in the import.)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"))
    # "YYYY-MM": text sorts and compares as the calendar does
    month: Mapped[str] = mapped_column(String(7))
    product: Mapped[str] = mapped_column(String(80))
    boxes: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
