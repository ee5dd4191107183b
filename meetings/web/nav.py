"""The navigation bar, filled by each domain's views module:
`nav_item("orgs_web.list_regions", _l("Regions"), roles={Role.admin})`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset = field(default_factory=frozenset)  # empty: every logged-in user
    order: int = 50


NAV: list[NavItem] = []


def nav_item(endpoint: str, label, roles=(), order: int = 50) -> None:
    if any(item.endpoint == endpoint for item in NAV):
        return
    NAV.append(NavItem(endpoint, label, frozenset(roles), order))
    NAV.sort(key=lambda item: item.order)


def items_for(user) -> list[NavItem]:
    return [item for item in NAV if not item.roles or user.role in item.roles]


# role → the endpoint a user of that role lands on at "/" (set by a domain's views)
LANDING: dict = {}


def landing_page(endpoint: str, roles) -> None:
    for role in roles:
        LANDING.setdefault(role, endpoint)


def landing_for(user) -> str | None:
    return LANDING.get(user.role)
