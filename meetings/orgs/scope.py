"""Who sees which part of the country (SPEC §1), in one place: every
domain's visibility (meetings, hospitals, budgets, follow-ups, questions
through meetings) narrows by this."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.types import NullType

from ..roles import Role
from .models import Province

NATIONWIDE = (Role.admin, Role.marketing, Role.compliance)


def scope_of(user) -> tuple[str, dict]:
    """The provinces `user`'s role covers, as a kind of scope — "country"
    (admin, marketing), "region" (a regional manager), "province" (everyone
    else bound to one) — and the values that pick them: provinces_in(kind,
    ·) takes them as bound parameters, so a statement can be built once per
    kind and run with each user's values."""
    if user.role in NATIONWIDE:
        return "country", {}
    if user.role == Role.regional_manager:
        return "region", {"scope_region_id": user.region_id}
    return "province", {"scope_province_id": user.province_id}


def parameter(key: str, values: dict | None):
    """A statement's parameter `key`, to compare a column with: with
    `values`, its value bound in as a unique parameter (two such statements
    in one keep their own values); without, required — a statement built
    once for many users and run without a user's values fails rather than
    showing someone else's rows. Untyped either way, so the column compared
    with gives it its type (a time in any zone made UTC, an enum stored by
    value) instead of a type guessed from the value."""
    if values is None:
        return bindparam(key, required=True)
    return bindparam(key, values[key], unique=True, type_=NullType())


def provinces_in(kind: str, column, values: dict | None = None):
    """The condition on `column` (a province id) for a kind of scope, None
    for the whole country; its parameters are scope_of's `values`, or left
    to be given when the statement runs (parameter())."""
    if kind == "country":
        return None
    if kind == "region":
        return column.in_(select(Province.id).where(Province.region_id == parameter("scope_region_id", values)))
    return column == parameter("scope_province_id", values)


def provinces_for(user, column):
    """The condition on `column` for the provinces `user`'s role covers;
    None for admin and marketing (the whole country). Each domain decides
    which roles read by province at all."""
    kind, values = scope_of(user)
    return provinces_in(kind, column, values)
