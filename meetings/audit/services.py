"""Searching the action log: one query for the API and the admin page."""
from __future__ import annotations

from sqlalchemy import Select, select

from flask_babel import gettext as _
from ..actionlog import ActionLogEntry
from ..auth.models import Role, User
from ..errors import Forbidden

FILTERS = ("object_type", "object_id", "actor_id", "action")


READERS = (Role.admin, Role.compliance)  # SPEC §10 /audit: admin and compliance


def require_admin(user: User) -> None:
    if user.role not in READERS:
        raise Forbidden(_("only an administrator or compliance reads the action log"))


def search(user: User, **filters) -> Select:
    """Entries, newest first, matching every filter given (None: any)."""
    require_admin(user)
    query = select(ActionLogEntry)
    for name in FILTERS:
        value = filters.get(name)
        if value is not None and value != "":
            query = query.where(getattr(ActionLogEntry, name) == value)
    return query.order_by(ActionLogEntry.id.desc())
