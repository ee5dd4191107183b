"""The compliance review list: one search for the page (and later the API),
within the user's visibility, narrowed by one named filter. The filters are a
registry: a domain that knows another reason for scrutiny adds one line,
`review_filter("late_attachments", _l("…"), lambda: <SQL condition on Meeting>)`
(the attachments' late uploads, SPEC §12)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists

from ..actionlog import ActionLogEntry
from ..auth.models import Role, User
from ..errors import Forbidden, InvalidInput
from ..flags.services import open_clause
from ..proposals.models import Meeting, Status
from ..proposals.services import visible_meetings
from ..summary.shares import meals_per_diner_clause
from ..types import utcnow

REVIEWERS = (Role.compliance, Role.admin)
# "Meals near the cap": meals per doctor who ate at this share of MEAL_CAP_PER_HEAD or more
NEAR_CAP = Decimal("0.9")
CLOSED_WITHIN = timedelta(days=31)


@dataclass(frozen=True)
class ReviewFilter:
    name: str
    label: object  # lazy words
    condition: Callable  # () -> SQL condition on Meeting


FILTERS: dict[str, ReviewFilter] = {}


def review_filter(name: str, label, condition: Callable) -> None:
    """Register a filter of the compliance list. Idempotent by name."""
    FILTERS.setdefault(name, ReviewFilter(name, label, condition))


def _closed_recently():
    since = utcnow() - CLOSED_WITHIN
    closed = exists().where(ActionLogEntry.object_type == "meeting", ActionLogEntry.object_id == Meeting.id,
                            ActionLogEntry.action == "close", ActionLogEntry.at >= since)
    return (Meeting.status == Status.closed) & closed


review_filter("closed_last_month", _l("Closed in the last month"), _closed_recently)
review_filter("flagged", _l("Flagged"), open_clause)
review_filter("meals_near_cap", _l("Meals near the cap"), lambda: meals_per_diner_clause(NEAR_CAP))


def require_reviewer(user: User) -> None:
    if user.role not in REVIEWERS:
        raise Forbidden(_("only compliance and administrators use the compliance view"))


def review_search(user: User, filter_name: str | None = None) -> Select:
    """The meetings the user sees, newest first, narrowed by the named filter."""
    require_reviewer(user)
    query = visible_meetings(user)
    if filter_name:
        chosen = FILTERS.get(filter_name)
        if chosen is None:
            raise InvalidInput(_("no such filter (%(name)s)", name=filter_name), field="filter")
        query = query.where(chosen.condition())
    return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
