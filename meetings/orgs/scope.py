"""Who sees which part of the country (SPEC §1), in one place: every
domain's visibility (meetings, hospitals, budgets, follow-ups, questions
through meetings) narrows by this."""
from __future__ import annotations

from sqlalchemy import select

from ..roles import Role
from .models import Province

NATIONWIDE = (Role.admin, Role.marketing)


def provinces_for(user, column):
    """The condition on `column` (a province id) for the provinces `user`'s
    role covers: a regional manager their region's, everyone else bound to
    a province their own; None for admin and marketing (the whole country).
    Each domain decides which roles read by province at all."""
    if user.role in NATIONWIDE:
        return None
    if user.role == Role.regional_manager:
        return column.in_(select(Province.id).where(Province.region_id == user.region_id))
    return column == user.province_id
