from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, UTCDateTime, utcnow


class InviteeRole(str, enum.Enum):
    primary = "primary"
    backup = "backup"


class InviteeStatus(str, enum.Enum):
    invited = "invited"
    confirmed = "confirmed"
    declined = "declined"
    attended = "attended"
    absent = "absent"


class Invitee(db.Model):
    __tablename__ = "invitees"
    # The same doctor is on a meeting's list once, whatever their role.
    __table_args__ = (UniqueConstraint("meeting_id", "doctor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    # a doctor's meetings: the annual cap, the doctor's page, the privacy export
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    role: Mapped[InviteeRole] = mapped_column(enum_column(InviteeRole))
    backup_for_id: Mapped[int | None] = mapped_column(ForeignKey("invitees.id", ondelete="SET NULL"))
    status: Mapped[InviteeStatus] = mapped_column(enum_column(InviteeStatus), default=InviteeStatus.invited)
    # Set when a backup stepped in for a declining primary (SPEC §4).
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting", back_populates="invitees", foreign_keys=[meeting_id])
    doctor = relationship("Doctor")
    backup_for = relationship("Invitee", remote_side=[id], foreign_keys=[backup_for_id])
