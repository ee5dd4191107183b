"""Routine visits (SPEC §15): what a rep records after each call on a doctor."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, enum_column, utcnow


class VisitOutcome(str, enum.Enum):
    committed = "committed"
    ambiguous = "ambiguous"
    declined = "declined"
    none = "none"


class Stage(str, enum.Enum):
    """The adoption ladder of seed 000: 不了解 → 了解 → 兴趣 → 试用 → 常规使用 → 多种患者类型开处方."""
    unaware = "unaware"
    aware = "aware"
    interested = "interested"
    trial = "trial"
    regular = "regular"
    advocate = "advocate"


class Visit(db.Model):
    """One call on a doctor: when, how long, the call plan (purpose, key
    message, expected objection, next step), how it went and where the doctor
    stands on the adoption ladder."""

    __tablename__ = "visits"
    __table_args__ = (
        # a doctor's last visit (the plan, lapses, the scorecard's relations)
        Index("ix_visits_doctor_id_visited_at", "doctor_id", "visited_at"),
        # a rep's visits of a week (done of the plan, the list)
        Index("ix_visits_rep_id_visited_at", "rep_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column()
    purpose: Mapped[str] = mapped_column(Text)
    key_message: Mapped[str | None] = mapped_column(Text)
    expected_objection: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[VisitOutcome] = mapped_column(enum_column(VisitOutcome))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    notes: Mapped[str | None] = mapped_column(Text)
    # the new question for marketing the visit brought back (at most one)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    doctor = relationship("Doctor")
    rep = relationship("User")
    question = relationship("Question")


class PlanStatus(str, enum.Enum):
    draft = "draft"
    approved = "approved"
    finished = "finished"  # shown once an approved plan's last day has passed (never stored)


class UpgradePlan(db.Model):
    """目标客户升级计划 (seed 004, SPEC §15): a rep's activities over 30–62
    days to move a B doctor (or a D doctor of nearly high potential) up,
    approved by the provincial manager; judged at the end on prescriptions."""

    __tablename__ = "upgrade_plans"
    __table_args__ = (Index("ix_upgrade_plans_rep_id_starts_on", "rep_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    approved: Mapped[bool] = mapped_column(default=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    doctor = relationship("Doctor")
    rep = relationship("User", foreign_keys=[rep_id])
    activities = relationship("UpgradeActivity", order_by="UpgradeActivity.due_on, UpgradeActivity.id",
                              cascade="all, delete-orphan")


class UpgradeActivity(db.Model):
    __tablename__ = "upgrade_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("upgrade_plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(default=False)
