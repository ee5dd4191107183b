from datetime import datetime, timedelta, timezone

import pytest

from meetings.extensions import db
from meetings.invitees import services as invitees
from meetings.proposals import services as proposals


@pytest.fixture
def meeting_with(org, make_meeting):
    """meeting_with(primaries=[doctor…], backups=[(backup, primary)…], status=…):
    a meeting of org.rep with that invitee list, walked to `status`."""
    def make(primaries=(), backups=(), status="approved", **overrides):
        meeting = make_meeting("draft", **overrides)
        by_doctor = {}
        for doctor in primaries:
            by_doctor[doctor.id] = invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id,
                                                        role="primary")
        for doctor, primary in backups:
            invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="backup",
                                 backup_for=by_doctor[primary.id].id)
        steps = {"draft": [], "approved": ["submit", "approve"],
                 "in_progress": ["submit", "approve", "start"],
                 "held": ["submit", "approve", "start", "finish"]}[status]
        for step in steps:
            if step == "submit":
                proposals.submit(org.rep, meeting)
            elif step == "approve":
                proposals.approve(org.pm, meeting)
            elif step == "start":
                if meeting.starts_at - datetime.now(timezone.utc) > timedelta(hours=2):
                    meeting.starts_at = datetime.now(timezone.utc) + timedelta(minutes=30)
                proposals.start(org.rep, meeting)
            elif step == "finish":
                proposals.finish(org.rep, meeting)
        db.session.commit()
        return meeting
    return make


@pytest.fixture
def doctors(org, make_doctor):
    """doctors("C", "C", "A") → doctors of org.hospital with those grades."""
    def make(*grades, title="attending"):
        return [make_doctor(org.hospital, grade=g, title=title) for g in grades]
    return make
