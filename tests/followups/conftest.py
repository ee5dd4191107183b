"""A held meeting built through the real services at a chosen start time:
who was invited (with backups), who declined, who came, which walk-ins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_local(hour: int, minute: int = 0, days: int = 2, zone=SHANGHAI) -> datetime:
    """A local wall-clock time a few days ahead (inside the test budget quarters)."""
    day = datetime.now(zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.fixture
def hold(org, make_meeting):
    """hold(starts_at, primaries=[doctor…], backups={primary: backup}, declined=[…],
    present=[…], walk_ins=[name…], finish=True, owner=org.rep) → the meeting."""
    from meetings.checkin import services as checkin
    from meetings.invitees import services as invitees
    from meetings.proposals import services as proposals

    def make(starts_at=None, *, primaries=(), backups=None, declined=(), present=(), walk_ins=(),
             finish=True, owner=None):
        owner = owner or org.rep
        starts_at = starts_at or next_local(15)
        meeting = make_meeting("draft", owner=owner, starts_at=starts_at)
        rows = {}
        for doctor in primaries:
            rows[doctor.id] = invitees.add_invitee(owner, meeting, doctor_id=doctor.id, role="primary")
        for primary, backup in (backups or {}).items():
            rows[backup.id] = invitees.add_invitee(owner, meeting, doctor_id=backup.id, role="backup",
                                                   backup_for=rows[primary.id].id)
        proposals.submit(owner, meeting)
        proposals.approve(org.pm if owner != org.pm else org.rm, meeting)
        for doctor in declined:
            invitees.decline(owner, meeting, rows[doctor.id])
        db.session.commit()
        with time_machine.travel(starts_at - timedelta(minutes=10)):
            proposals.start(owner, meeting)
            for doctor in present:
                checkin.check_in(owner, meeting, doctor_id=doctor.id)
            for name in walk_ins:
                checkin.check_in(owner, meeting, name=name, title="nurse")
            if finish:
                proposals.finish(owner, meeting)
            db.session.commit()
        return meeting
    return make


def at_local(day, hour=10, zone=SHANGHAI):
    """A moment on a local date, for time_machine."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(timezone.utc)
