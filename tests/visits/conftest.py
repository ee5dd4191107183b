"""Doctors who met a rep at a held meeting (so they enter the rep's plan once
the follow-up is done or past due), and a clock moved to a chosen local day."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at_local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(timezone.utc)


def on(day: date, hour: int = 10):
    """The clock moved to `day` (local) at `hour`."""
    return time_machine.travel(at_local(day, hour), tick=False)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@pytest.fixture
def met(org, make_meeting, make_doctor):
    """met(*doctors, owner=org.rep) → the held meeting (two days ahead,
    15:00 local; the clock travels there) they attended. Key doctors get
    an A backup (SPEC §4), who stays away uninvited."""
    from meetings.doctors.services import is_key

    def make(*doctors, owner=None, hospital=None):
        day = datetime.now(SHANGHAI).date() + timedelta(days=2)
        starts = datetime(day.year, day.month, day.day, 15, tzinfo=SHANGHAI)
        hospital = hospital or org.hospital
        backups = {d: make_doctor(hospital, "A") for d in doctors if is_key(d)}
        return make_meeting("held", owner=owner or org.rep, primaries=list(doctors), present=list(doctors),
                            backups=backups, starts_at=starts, on_time=True)
    return make


def visit_task(meeting, doctor) -> FollowUp:
    return db.session.query(FollowUp).filter_by(meeting_id=meeting.id, doctor_id=doctor.id,
                                                kind=FollowUpKind.visit).one()


def meeting_day(meeting) -> date:
    return meeting.starts_at.astimezone(SHANGHAI).date()
