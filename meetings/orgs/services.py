"""Regions, provinces and the quarterly budget pools (SPEC §2, §3)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import false, select, update

from flask_babel import gettext as _

from ..actionlog import changes as changes_of
from ..actionlog import log_action, snapshot
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
        raise Forbidden(_("only an administrator manages regions, provinces and budgets"))


def create_region(actor: User, *, name: str) -> Region:
    _require_admin(actor)
    if db.session.scalar(select(Region.id).where(Region.name == name)):
        raise Conflict(_("region %(name)s exists", name=name), field="name")
    region = Region(name=name)
    db.session.add(region)
    db.session.flush()
    return region


def create_province(actor: User, *, name: str, region_id: int, approval_limit) -> Province:
    _require_admin(actor)
    if db.session.get(Region, region_id) is None:
        raise InvalidInput(_("no such region (%(id)s)", id=region_id), field="region_id")
    if db.session.scalar(select(Province.id).where(Province.name == name)):
        raise Conflict(_("province %(name)s exists", name=name), field="name")
    _check_amount(approval_limit, "approval_limit")
    province = Province(name=name, region_id=region_id, approval_limit=money(approval_limit))
    db.session.add(province)
    db.session.flush()
    return province


def update_province(actor: User, province: Province, **changes) -> Province:
    _require_admin(actor)
    if "region_id" in changes and db.session.get(Region, changes["region_id"]) is None:
        raise InvalidInput(_("no such region (%(id)s)", id=changes["region_id"]), field="region_id")
    if "approval_limit" in changes:
        _check_amount(changes["approval_limit"], "approval_limit")
    old = snapshot(province, ("name", "region_id", "approval_limit"))
    for key, value in changes.items():
        setattr(province, key, value)
    db.session.flush()
    before, after = changes_of(old, snapshot(province, ("name", "region_id", "approval_limit")))
    if after:
        log_action(actor, "update", "province", province.id, before=before, after=after)
    return province


def _check_amount(amount, field: str) -> None:
    if Decimal(amount) < 0:
        raise InvalidInput(_("must not be negative"), field=field)


def get_province(province_id: int) -> Province:
    province = db.session.get(Province, province_id)
    if province is None:
        raise NotFound(_("province not found"))
    return province


def allocate_budget(actor: User, province: Province, *, period: str, amount) -> BudgetPool:
    _require_admin(actor)
    if not PERIOD.match(period or ""):
        raise InvalidInput(_("write the quarter as 2026-Q4"), field="period")
    _check_amount(amount, "amount")
    if db.session.scalar(select(BudgetPool.id).where(
            BudgetPool.province_id == province.id, BudgetPool.period == period)):
        raise Conflict(_("%(period)s already has a budget; change its amount instead", period=period),
                       field="period")
    pool = BudgetPool(province_id=province.id, period=period, amount=money(amount), spent=Decimal("0"))
    db.session.add(pool)
    db.session.flush()
    log_action(actor, "allocate", "budget", pool.id,
               after={"province_id": province.id, "period": period, "amount": pool.amount})
    return pool


def set_budget_amount(actor: User, pool: BudgetPool, amount) -> BudgetPool:
    _require_admin(actor)
    _check_amount(amount, "amount")
    amount = money(amount)
    old = pool.amount
    # Conditional update: never below what approvals already drew.
    done = db.session.execute(
        update(BudgetPool).where(BudgetPool.id == pool.id, BudgetPool.spent <= amount)
        .values(amount=amount)
    ).rowcount
    if not done:
        raise Conflict(_("%(amount)s is below what is already spent (%(spent)s)", amount=amount,
                         spent=pool.spent), field="amount")
    db.session.refresh(pool)
    log_action(actor, "set_amount", "budget", pool.id, before={"amount": old}, after={"amount": pool.amount})
    return pool


def pool_for(province_id: int, period: str) -> BudgetPool | None:
    return db.session.scalar(select(BudgetPool).where(
        BudgetPool.province_id == province_id, BudgetPool.period == period))


def draw(province_id: int, period: str, amount: Decimal, *, actor=None, meeting_id=None) -> BudgetPool:
    """Take `amount` from the pool atomically. The WHERE clause makes the
    check and the write one statement, so concurrent approvals can never
    spend more than the pool holds (and the CHECK constraint backs it up)."""
    pool = pool_for(province_id, period)
    if pool is None:
        raise NoBudgetPool(_("the province has no budget for %(period)s", period=period))
    done = db.session.execute(
        update(BudgetPool)
        .where(BudgetPool.id == pool.id, BudgetPool.amount - BudgetPool.spent >= amount)
        .values(spent=BudgetPool.spent + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(pool)
    if not done:
        raise PoolExhausted(
            _("the %(period)s budget has %(left)s 元 left; this meeting needs %(amount)s 元",
              period=period, left=pool.remaining, amount=amount),
            remaining=pool.remaining, needed=amount)
    log_action(actor, "draw", "budget", pool.id, before={"spent": pool.spent - amount},
               after={"spent": pool.spent, "meeting_id": meeting_id})
    return pool


def refund(pool_id: int, amount: Decimal, *, actor=None, meeting_id=None) -> None:
    spent = db.session.execute(
        update(BudgetPool).where(BudgetPool.id == pool_id)
        .values(spent=BudgetPool.spent - amount)
        .execution_options(synchronize_session=False)
        .returning(BudgetPool.spent)
    ).scalar_one()
    log_action(actor, "refund", "budget", pool_id, before={"spent": spent + amount},
               after={"spent": spent, "meeting_id": meeting_id})


def settle(pool_id: int, difference: Decimal) -> None:
    """SPEC §3: a summary's actual total replaces what the meeting drew — an
    underspend returns to the pool, an overspend draws the difference even
    past the pool's amount (remaining below zero). One atomic UPDATE."""
    db.session.execute(
        update(BudgetPool).where(BudgetPool.id == pool_id)
        .values(spent=BudgetPool.spent + difference)
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
