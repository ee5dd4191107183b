"""Who sees which part of the country (SPEC §1), in one place: every
domain's visibility (meetings, hospitals, budgets, follow-ups, questions
through meetings) narrows by this."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..roles import Role
from .models import Province

NATIONWIDE = (Role.admin, Role.marketing)


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


def provinces_in(kind: str, column, values: dict | None = None):
    """The condition on `column` (a province id) for a kind of scope, None
    for the whole country; with `values` (scope_of's) bound in, else as
    required parameters: a statement built once and run without scope_of's
    values fails rather than showing someone else's provinces."""
    def value(key):
        return bindparam(key, required=True) if values is None else bindparam(key, values[key], unique=True)

    if kind == "country":
        return None
    if kind == "region":
        return column.in_(select(Province.id).where(Province.region_id == value("scope_region_id")))
    return column == value("scope_province_id")


def provinces_for(user, column):
    """The condition on `column` for the provinces `user`'s role covers;
    None for admin and marketing (the whole country). Each domain decides
    which roles read by province at all."""
    kind, values = scope_of(user)
    return provinces_in(kind, column, values)
