"""A held meeting built through the real services, with what the scorecard
reads: the checklist ticked before the start, invitees (some declined), who
came (invited, walk-ins, a doctor who was not invited), the product."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_local(hour: int = 15, days: int = 2) -> datetime:
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def held(org, make_meeting, default_guest):
    """held(starts_at=…, primaries=[…], backups={primary: backup}, declined=[…], present=[…], walk_ins=[…],
    tick=n (checklist items ticked before the start; None: the list emptied),
    product=…, finish=True) → the meeting, held.

    Without primaries nobody is expected: submit needs a primary (SPEC §3),
    so a guest is invited and declines once approved, leaving no figure."""
    from meetings.agenda import services as agenda
    from meetings.checkin import services as checkin
    from meetings.invitees import services as invitees
    from meetings.proposals import services as proposals

    def make(starts_at=None, *, primaries=(), backups=None, declined=(), present=(), walk_ins=(), tick=0,
             product=None, finish=True, expected_attendees=15, budget=None):
        owner = org.rep
        starts_at = starts_at or next_local()
        extra = {"budget": budget} if budget else {}
        meeting = make_meeting("draft", owner=owner, starts_at=starts_at, product=product,
                               expected_attendees=expected_attendees, **extra)
        if not primaries:
            primaries = declined = [default_guest(meeting)]
        rows = {d.id: invitees.add_invitee(owner, meeting, doctor_id=d.id, role="primary")
                for d in primaries}
        for primary, backup in (backups or {}).items():
            if primary.id not in rows:
                continue
            invitees.add_invitee(owner, meeting, doctor_id=backup.id, role="backup",
                                 backup_for=rows[primary.id].id)
        items = agenda.checklist(meeting)
        if tick is None:
            agenda.update_checklist(owner, meeting, items=[])
        else:
            agenda.update_checklist(owner, meeting, items=[
                {"id": item.id, "ticked": i < tick} for i, item in enumerate(items)])
        proposals.submit(owner, meeting)
        proposals.approve(org.pm, meeting)
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


@pytest.fixture
def prescribe(org):
    """prescribe({(doctor, "2026-09", "P"): boxes, …}) stores prescriptions."""
    from meetings.prescriptions.models import Prescription

    def make(rows):
        for (doctor, month, product), boxes in rows.items():
            db.session.add(Prescription(doctor_id=doctor.id, month=month, product=product, boxes=boxes))
        db.session.commit()
    return make
