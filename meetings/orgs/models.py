from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import Money


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    provinces = relationship("Province", back_populates="region", order_by="Province.name")


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    approval_limit: Mapped[Decimal] = mapped_column(Money)

    region = relationship("Region", back_populates="provinces")
    budgets = relationship("BudgetPool", back_populates="province", order_by="BudgetPool.period")


class BudgetPool(db.Model):
    """A province's money for one quarter. `spent` only moves through a
    conditional UPDATE (see orgs.services.draw): approvals never draw more than
    is left. A summary's actual spend settles the pool (SPEC §3) and may take it
    below zero, so the CHECK only keeps `spent` from going negative."""

    __tablename__ = "budget_pools"
    __table_args__ = (
        UniqueConstraint("province_id", "period"),
        CheckConstraint("spent >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-Q4"
    amount: Mapped[Decimal] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    province = relationship("Province", back_populates="budgets")

    @property
    def allocated(self) -> Decimal:
        return self.amount

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent
