"""Held meetings in several provinces and regions, built through the real
services (the one lifecycle factory, make_meeting): invitees (backups,
declines), check-ins, summaries, follow-ups."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.auth.models import Role
from meetings.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(days: int, hour: int = 15) -> datetime:
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


class Team:
    """A province with its rep(s), manager and a hospital."""


@pytest.fixture
def make_team(org, make_province, make_user, make_hospital):
    def make(region=None, reps=1, use_org=False):
        team = Team()
        if use_org:
            team.province, team.reps, team.pm, team.hospital = org.province, [org.rep], org.pm, org.hospital
        else:
            team.province = make_province(region=region or org.region)
            team.reps = [make_user(Role.rep, province=team.province) for _ in range(reps)]
            team.pm = make_user(Role.provincial_manager, province=team.province)
            team.hospital = make_hospital(province=team.province)
        team.rep = team.reps[0]
        team.department = team.hospital.departments[0]
        team.rm = org.rm
        team.staff = org.staff
        return team
    return make


@pytest.fixture
def held(org, make_meeting):
    """held(team, rep=…, starts_at=…, primaries=[…], backups={primary: backup},
    declined=[…], present=[…], walk_ins=[…], spend="800", finish=True): a
    meeting of the team's hospital, approved by its manager and held on time
    through tests/conftest.py's make_meeting; with `spend`, summarised."""
    from meetings.summary import services as summary

    def make(team, *, rep=None, starts_at=None, primaries=(), backups=None, declined=(), present=(),
             walk_ins=(), spend=None, finish=True):
        rep = rep or team.rep
        starts_at = starts_at or local(2)
        meeting = make_meeting("held" if finish else "in_progress", rep, approver=team.pm, on_time=True,
                               hospital_id=team.hospital.id, department_id=team.department.id,
                               starts_at=starts_at, speaker_id=team.pm.id, staff_ids=[],
                               primaries=primaries, backups=backups or {}, declined=declined,
                               present=present, walk_ins=walk_ins)
        if spend is not None:
            with time_machine.travel(starts_at + timedelta(hours=3)):
                summary.save_summary(rep, meeting, organization="ok",
                                     actual_spend=[{"category": "gifts", "amount": Decimal(spend)}])
                db.session.commit()
        return meeting
    return make


def at(day_offset: int, hour: int = 10) -> datetime:
    return local(day_offset, hour).astimezone(timezone.utc)
