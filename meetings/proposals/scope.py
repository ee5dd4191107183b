"""Who sees which meetings (SPEC §1), as a kind of scope and its values: the
one rule behind the meeting search (services.visible_meetings) and the check
that a speaker or staff member may see the meeting they are named on
(content.resolve)."""
from __future__ import annotations

from ..auth.models import Role, User
from ..orgs.scope import scope_of


def meeting_scope(user: User) -> tuple[str, dict]:
    """SPEC §1: a rep sees their own meetings; a provincial manager and staff
    their province; a regional manager their region; marketing and admin all.
    As a kind of scope and its values (orgs.scope.scope_of)."""
    if user.role == Role.rep:
        return "own", {"scope_owner_id": user.id}
    return scope_of(user)


def sees_meeting_of(user: User, owner_id: int, province_id: int, region_id: int | None) -> bool:
    """meeting_scope for a meeting not necessarily saved yet: would `user` see
    a meeting owned by `owner_id` in this province?"""
    kind, _values = meeting_scope(user)
    if kind == "own":
        return user.id == owner_id
    if kind == "country":
        return True
    if kind == "region":
        return region_id is not None and user.region_id == region_id
    return user.province_id == province_id
