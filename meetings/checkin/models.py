"""Check-ins (SPEC §5). The unique keys do the idempotency work: a doctor
signs in once per meeting, and a retried client nonce never makes a second row."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..doctors.models import Title
from ..extensions import db
from ..types import enum_column, UTCDateTime, utcnow

# A phone signature as PNG is ~5–40 KB; anything past this is not a signature.
SIGNATURE_MAX_BYTES = 200 * 1024


class Source(str, enum.Enum):
    staff = "staff"
    self = "self"
    paper = "paper"


class CheckIn(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (
        # NULLs are distinct on SQLite and PostgreSQL: walk-ins without a doctor
        # record, and check-ins without a nonce, never collide.
        UniqueConstraint("meeting_id", "doctor_id"),
        UniqueConstraint("meeting_id", "nonce"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))  # indexed by the unique keys
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"), index=True)
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("invitees.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(80))
    title: Mapped[Title] = mapped_column(enum_column(Title))
    source: Mapped[Source] = mapped_column(enum_column(Source))
    nonce: Mapped[str | None] = mapped_column(String(64))
    # When the person signed in (a paper sheet's or an offline queue's time)…
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # …and when the server stored it.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    meal_opt_in: Mapped[bool] = mapped_column(default=False)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG, ≤ SIGNATURE_MAX_BYTES
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # null: self sign-in

    meeting = relationship("Meeting")
    doctor = relationship("Doctor")
    invitee = relationship("Invitee")
    created_by = relationship("User")

    @property
    def invited(self) -> bool:
        return self.invitee_id is not None

    @property
    def has_signature(self) -> bool:
        return self.signature is not None
