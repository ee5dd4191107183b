"""Routine visits (SPEC §15): what a rep records after each call on a doctor."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
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
