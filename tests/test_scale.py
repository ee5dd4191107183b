"""`seed-demo --scale`: set-based rows that obey the rules the services enforce."""
from sqlalchemy import func, select

from meetings.checkin.models import CheckIn
from meetings.checkin.services import attendance
from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.invitees.services import missing_backups, missing_primary
from meetings.proposals.models import Meeting, Status
from meetings.scale import seed_scale


def test_scale_meetings_obey_the_rules_and_add_up(app):
    counts = seed_scale(40)
    db.session.commit()
    assert counts["meetings"] == db.session.scalar(select(func.count(Meeting.id))) == 40
    held = (Status.held, Status.summarized, Status.closed)
    for meeting in db.session.scalars(select(Meeting)):
        missing_primary(meeting)  # raises when nobody is invited (SPEC §3)
        missing_backups(meeting)  # raises when a key primary lacks a backup of its grade
        present = db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.meeting_id == meeting.id))
        tasks = db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.meeting_id == meeting.id))
        if meeting.status in held:
            figures = attendance(meeting)
            assert figures["present"] == present >= 1 and figures["expected"] == 8
            assert tasks == 9  # a visit or a gift per invited primary, a visit for the walk-in
            assert meeting.starts_at < db.session.scalar(select(func.min(FollowUp.created_at)).where(
                FollowUp.meeting_id == meeting.id))
        else:
            assert present == tasks == 0
        actions = [t.action for t in meeting.history]
        assert (actions[-1] if actions else "draft") == {
            Status.draft: "draft", Status.submitted: "submit", Status.approved: "approve",
            Status.held: "finish", Status.summarized: "summary", Status.closed: "close",
            Status.cancelled: "cancel"}[meeting.status]


def test_a_second_scale_run_adds_beside_the_first(app):
    seed_scale(5)
    seed_scale(5)
    db.session.commit()
    assert db.session.scalar(select(func.count(Meeting.id))) == 10
