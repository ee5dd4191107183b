"""A held meeting built through the real services, with what the scorecard
reads: the checklist ticked before the start, invitees (some declined), who
came (invited, walk-ins, a doctor who was not invited), the product."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_local(hour: int = 15, days: int = 2) -> datetime:
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def held(org, make_meeting):
    """held(starts_at=…, primaries=[…], backups={primary: backup}, declined=[…], present=[…], walk_ins=[…],
    tick=n (checklist items ticked before the start; None: the list emptied),
    product=…, finish=True) → the meeting, held: tests/conftest.py make_meeting
    (the one lifecycle factory) on time, with the checklist ticked as the
    proposal is submitted and the backups of the primaries on the list.

    Without primaries nobody is expected: submit needs a primary (SPEC §3),
    so the factory's guest is invited and declines once approved, leaving no figure."""
    from meetings.agenda import services as agenda
    from meetings.invitees import services as invitees
    from meetings.proposals.models import Status
    from meetings.signals import meeting_transitioned

    def make(starts_at=None, *, primaries=(), backups=None, declined=(), present=(), walk_ins=(), tick=0,
             product=None, finish=True, expected_attendees=15, budget=None):
        def tick_on_submit(meeting, *, action, **_):
            # the scorecard reads what was ticked when the meeting started
            if action != "submit":
                return
            items = [] if tick is None else [{"id": item.id, "ticked": i < tick}
                                             for i, item in enumerate(agenda.checklist(meeting))]
            agenda.update_checklist(org.rep, meeting, items=items)

        def guest_declines(meeting, *, action, **_):
            # the guest a test without primaries gets (make_meeting) is not expected
            if action == "approve" and meeting.status == Status.approved and not primaries:
                for row in list(meeting.invitees):
                    invitees.decline(org.rep, meeting, row)

        extra = {"budget": budget} if budget else {}
        with meeting_transitioned.connected_to(tick_on_submit), \
                meeting_transitioned.connected_to(guest_declines):
            return make_meeting(
                "held" if finish else "in_progress", on_time=True, starts_at=starts_at or next_local(),
                primaries=primaries, backups={p: b for p, b in (backups or {}).items() if p in primaries},
                declined=declined, present=present, walk_ins=walk_ins, product=product,
                expected_attendees=expected_attendees, **extra)
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
