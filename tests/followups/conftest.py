"""A held meeting built through the real services at a chosen start time:
who was invited (with backups), who declined, who came, which walk-ins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest


SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_local(hour: int, minute: int = 0, days: int = 2, zone=SHANGHAI) -> datetime:
    """A local wall-clock time a few days ahead (inside the test budget quarters)."""
    day = datetime.now(zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.fixture
def hold(make_meeting):
    """hold(starts_at, primaries=[doctor…], backups={primary: backup}, declined=[…],
    present=[…], walk_ins=[name…], finish=True, owner=org.rep) → the meeting:
    tests/conftest.py make_meeting run on time (the clock travels to the start)."""
    def make(starts_at=None, *, finish=True, **kwargs):
        return make_meeting("held" if finish else "in_progress", starts_at=starts_at or next_local(15),
                            on_time=True, **kwargs)
    return make


def at_local(day, hour=10, zone=SHANGHAI):
    """A moment on a local date, for time_machine."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(timezone.utc)
