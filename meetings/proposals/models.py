from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import enum_column, Money, UTCDateTime, utcnow


class Status(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    pending_regional = "pending_regional"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"
    in_progress = "in_progress"
    held = "held"
    summarized = "summarized"
    closed = "closed"


# The meeting's phases, named once: rules, reads and pages ask these instead of
# restating the statuses.
STARTED = frozenset({Status.in_progress, Status.held, Status.summarized, Status.closed})  # the day came
HELD = frozenset({Status.held, Status.summarized, Status.closed})  # over: summary, follow-ups
GOING_AHEAD = frozenset({Status.approved}) | STARTED  # approved and not called off


class Purpose(str, enum.Enum):
    new_indication = "new_indication"
    usage_dosage = "usage_dosage"
    concern_qa = "concern_qa"
    new_product = "new_product"


class Audience(str, enum.Enum):
    chiefs = "chiefs"
    prescribers = "prescribers"
    whole_department = "whole_department"


class Format(str, enum.Enum):
    in_department = "in_department"
    off_site = "off_site"


class BudgetCategory(str, enum.Enum):
    gifts = "gifts"
    meals = "meals"
    materials = "materials"
    venue = "venue"
    speaker_fee = "speaker_fee"
    other = "other"


meeting_staff = Table(
    "meeting_staff",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Meeting(db.Model):
    __tablename__ = "meetings"
    # The lists: a rep's own meetings, a province's, in start order (SPEC §1
    # visibility; a page of 50 is read from the index, not sorted from all).
    __table_args__ = (
        Index("ix_meetings_owner_id_starts_at", "owner_id", "starts_at"),
        Index("ix_meetings_province_id_starts_at", "province_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    topic: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose))
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    format: Mapped[Format] = mapped_column(enum_column(Format))
    venue: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expected_attendees: Mapped[int] = mapped_column()
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    needs: Mapped[str | None] = mapped_column(Text)
    supply_channel_open: Mapped[bool] = mapped_column(default=False)
    department_head_agreed: Mapped[bool] = mapped_column(default=False)
    relations_ok: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.draft, index=True)
    # What approval drew from which pool; cancelling gives exactly this back.
    drawn_amount: Mapped[Decimal | None] = mapped_column(Money)
    drawn_pool_id: Mapped[int | None] = mapped_column(ForeignKey("budget_pools.id"))
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the follow-up tasks of SPEC §8 were created (on finish, or by the
    # schedule_followups job); null again when a late check-in needs a rescan.
    followups_scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SPEC §9: the product the meeting promotes; its sales effect counts it
    # (all products when none is named).
    product: Mapped[str | None] = mapped_column(String(80))
    # The materials checklist as it stood when the meeting started (hardware
    # score); null until then. The checklist stays editable during the meeting.
    checklist_items_at_start: Mapped[int | None] = mapped_column()
    checklist_ticked_at_start: Mapped[int | None] = mapped_column()
    # What the summary says was spent (SPEC §3): replaces the budget total in
    # the doctors' shares and what the pool is charged. Null until summarised.
    actual_total: Mapped[Decimal | None] = mapped_column(Money)

    owner = relationship("User", foreign_keys=[owner_id])
    speaker = relationship("User", foreign_keys=[speaker_id])
    staff = relationship("User", secondary=meeting_staff, order_by="User.id")
    province = relationship("Province")
    hospital = relationship("Hospital")
    department = relationship("Department")
    budget_lines = relationship("BudgetLine", back_populates="meeting", order_by="BudgetLine.id",
                                cascade="all, delete-orphan")
    # the meeting's part of the one action log (SPEC §11): read-only, written by log_action
    history = relationship("ActionLogEntry", order_by="ActionLogEntry.id", viewonly=True,
                           primaryjoin="and_(Meeting.id == foreign(ActionLogEntry.object_id), "
                                       "ActionLogEntry.object_type == 'meeting')")
    # Read-only: the summary (meetings/summary) is written from its side; the
    # annual cap reads the actual spend through this.
    summary = relationship("Summary", uselist=False, viewonly=True)
    invitees = relationship("Invitee", back_populates="meeting", order_by="Invitee.id",
                            cascade="all, delete-orphan", foreign_keys="Invitee.meeting_id")

    @property
    def staff_ids(self) -> list[int]:
        return [user.id for user in self.staff]

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), Decimal("0.00"))

    def spend_on(self, category: BudgetCategory) -> Decimal:
        return sum((line.amount for line in self.budget_lines if line.category == category),
                   Decimal("0.00"))


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    category: Mapped[BudgetCategory] = mapped_column(enum_column(BudgetCategory))
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(200))

    meeting = relationship("Meeting", back_populates="budget_lines")
