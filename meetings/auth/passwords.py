"""Which new passwords are refused (ASVS 2.1.7, NIST 800-63B 5.1.1.2): too
short, one of the most common (a bundled list, common_passwords.txt), such a
password with digits or signs appended ("dragon2026!"), one made of a few
characters repeated ("aaaaaaaaaa", "1212121212"), or one containing the
username or the service's name. Existing passwords keep working until
their next change."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 10
MIN_DISTINCT = 4
# the service's name, as people would type it into a password
SERVICE_NAMES = ("科室会", "keshihui", "meetings")
_TAIL = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def problem(password: str | None, username: str | None = None) -> str | None:
    """Why `password` is refused, in words for the person typing it; None
    when it is acceptable."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("at least %(n)s characters", n=MIN_LENGTH)
    lowered = password.lower()
    base = _TAIL.sub("", lowered)
    if lowered in common_passwords() or (len(base) >= 4 and base in common_passwords()):
        return _("one of the most common passwords; choose another")
    if len(set(lowered)) < MIN_DISTINCT:
        return _("too few different characters")
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in lowered:
        return _("must not contain the username")
    if any(service in lowered for service in SERVICE_NAMES):
        return _("must not contain the name of the service")
    return None
