"""Regions, provinces and the quarterly budget pools (SPEC §2, §3)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import false, select, update

from .. import audit
from ..roles import Role
from ..errors import Conflict, Forbidden, InvalidInput, NoBudgetPool, NotFound, PoolExhausted
from ..extensions import db
from ..types import money
from .models import BudgetPool, Province, Region
from .scope import provinces_for

if TYPE_CHECKING:  # annotations only: users (meetings.auth) build on the org chart
    from ..auth.models import User

PERIOD = re.compile(r"^\d{4}-Q[1-4]$")


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden("only an administrator manages regions, provinces and budgets")


def create_region(actor: User, *, name: str) -> Region:
    _require_admin(actor)
    if db.session.scalar(select(Region.id).where(Region.name == name)):
        raise Conflict(f"name: region {name!r} exists", field="name")
    region = Region(name=name)
    db.session.add(region)
    db.session.flush()
    return region


def create_province(actor: User, *, name: str, region_id: int, approval_limit) -> Province:
    _require_admin(actor)
    if db.session.get(Region, region_id) is None:
        raise InvalidInput(f"region_id: no such region ({region_id})", field="region_id")
    if db.session.scalar(select(Province.id).where(Province.name == name)):
        raise Conflict(f"name: province {name!r} exists", field="name")
    _check_amount(approval_limit, "approval_limit")
    province = Province(name=name, region_id=region_id, approval_limit=money(approval_limit))
    db.session.add(province)
    db.session.flush()
    return province


def update_province(actor: User, province: Province, **changes) -> Province:
    _require_admin(actor)
    if "region_id" in changes and db.session.get(Region, changes["region_id"]) is None:
        raise InvalidInput(f"region_id: no such region ({changes['region_id']})", field="region_id")
    if "approval_limit" in changes:
        _check_amount(changes["approval_limit"], "approval_limit")
    for key, value in changes.items():
        setattr(province, key, value)
    db.session.flush()
    audit.record(actor, "province", province.id, "update", **{k: str(v) for k, v in changes.items()})
    return province


def _check_amount(amount, field: str) -> None:
    if Decimal(amount) < 0:
        raise InvalidInput(f"{field}: must not be negative", field=field)


def get_province(province_id: int) -> Province:
    province = db.session.get(Province, province_id)
    if province is None:
        raise NotFound("province not found")
    return province


def allocate_budget(actor: User, province: Province, *, period: str, amount) -> BudgetPool:
    _require_admin(actor)
    if not PERIOD.match(period or ""):
        raise InvalidInput("period: use the form 2026-Q4", field="period")
    _check_amount(amount, "amount")
    if db.session.scalar(select(BudgetPool.id).where(
            BudgetPool.province_id == province.id, BudgetPool.period == period)):
        raise Conflict(f"period: {period} already has a budget; change its amount instead",
                       field="period")
    pool = BudgetPool(province_id=province.id, period=period, amount=money(amount), spent=Decimal("0"))
    db.session.add(pool)
    db.session.flush()
    audit.record(actor, "budget_pool", pool.id, "allocate", period=period, amount=str(pool.amount))
    return pool


def set_budget_amount(actor: User, pool: BudgetPool, amount) -> BudgetPool:
    _require_admin(actor)
    _check_amount(amount, "amount")
    amount = money(amount)
    # Conditional update: never below what approvals already drew.
    done = db.session.execute(
        update(BudgetPool).where(BudgetPool.id == pool.id, BudgetPool.spent <= amount)
        .values(amount=amount)
    ).rowcount
    if not done:
        raise Conflict(f"amount: {amount} is below what is already spent ({pool.spent})", field="amount")
    db.session.refresh(pool)
    audit.record(actor, "budget_pool", pool.id, "set_amount", amount=str(amount))
    return pool


def pool_for(province_id: int, period: str) -> BudgetPool | None:
    return db.session.scalar(select(BudgetPool).where(
        BudgetPool.province_id == province_id, BudgetPool.period == period))


def draw(province_id: int, period: str, amount: Decimal) -> BudgetPool:
    """Take `amount` from the pool atomically. The WHERE clause makes the
    check and the write one statement, so concurrent approvals can never
    spend more than the pool holds (and the CHECK constraint backs it up)."""
    pool = pool_for(province_id, period)
    if pool is None:
        raise NoBudgetPool(f"the province has no budget for {period}")
    done = db.session.execute(
        update(BudgetPool)
        .where(BudgetPool.id == pool.id, BudgetPool.amount - BudgetPool.spent >= amount)
        .values(spent=BudgetPool.spent + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(pool)
    if not done:
        raise PoolExhausted(
            f"the {period} budget has {pool.remaining} 元 left; this meeting needs {amount} 元",
            remaining=pool.remaining, needed=amount)
    return pool


def refund(pool_id: int, amount: Decimal) -> None:
    db.session.execute(
        update(BudgetPool).where(BudgetPool.id == pool_id)
        .values(spent=BudgetPool.spent - amount)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- visibility

def visible_provinces(user: User):
    """The provinces whose budgets `user` may read: admins and marketing all,
    a provincial manager their province, a regional manager their region's;
    nobody else any (a select of Province.id)."""
    query = select(Province.id)
    if user.role in (Role.rep, Role.staff):
        return query.where(false())
    in_scope = provinces_for(user, Province.id)
    return query if in_scope is None else query.where(in_scope)


def can_read_budgets(user: User, province: Province) -> bool:
    return db.session.scalar(visible_provinces(user).where(Province.id == province.id)) is not None
