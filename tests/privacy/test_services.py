"""The export's spend per year (SPEC §3's annual cap, SPEC §11's export)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import event

from meetings.extensions import db
from meetings.summary.shares import year_shares
from meetings.privacy.services import _spend
from meetings.proposals import services as proposals
from meetings.types import local_zone


def _statements(fn) -> tuple[object, int]:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len([s for s in seen if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])


def test_the_spend_of_every_year_is_one_query_and_counts_as_the_cap_does(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    this_year = datetime.now(local_zone()).year
    # the first day of a year in the local zone belongs to that year, not to UTC's previous one
    years = {this_year - 2: [datetime(this_year - 2, 1, 1, 0, 30, tzinfo=local_zone())],
             this_year - 1: [datetime(this_year - 1, 3, 1, 9, tzinfo=local_zone()),
                             datetime(this_year - 1, 11, 1, 9, tzinfo=local_zone())],
             this_year + 1: [datetime(this_year + 1, 6, 1, 9, tzinfo=local_zone())]}
    for starts in years.values():
        for at in starts:
            make_meeting("submitted", primaries=[doctor], starts_at=at)
    # what the cap does not count: a declined invitation, a cancelled meeting
    declined = make_meeting("approved", primaries=[doctor], declined=[doctor])
    cancelled = make_meeting("submitted", primaries=[doctor])
    proposals.cancel(org.rep, cancelled)
    db.session.commit()
    assert doctor.name  # loaded again after the commit, before counting

    spend, statements = _statements(lambda: _spend(doctor))
    assert statements == 1  # not one per year
    assert [row["year"] for row in spend] == sorted(years)
    for row in spend:
        shares = year_shares([doctor.id], row["year"])[doctor.id]
        assert [m["meeting_id"] for m in row["meetings"]] == [s.meeting_id for s in shares]
        assert [Decimal(m["share"]) for m in row["meetings"]] == [s.share for s in shares]
        assert Decimal(row["total"]) == sum(s.share for s in shares) == Decimal("133.33") * len(shares)
    counted = {m["meeting_id"] for row in spend for m in row["meetings"]}
    assert len(counted) == 4 and declined.id not in counted and cancelled.id not in counted


def test_the_export_costs_the_same_statements_for_one_invitation_or_five(org, make_meeting, make_doctor):
    from meetings.privacy.services import export_doctor

    counts = []
    for invitations in (1, 5):
        doctor = make_doctor(org.hospital, "C")
        for _ in range(invitations):
            make_meeting("submitted", primaries=[doctor])
        db.session.commit()
        db.session.expire_all()  # as a request finds it: nothing loaded yet
        exported, statements = _statements(lambda doctor=doctor: export_doctor(org.admin, doctor.id))
        assert len(exported["invitations"]) == invitations
        assert all(row["topic"] for row in exported["invitations"])
        counts.append(statements)
    assert counts[0] == counts[1], counts  # each invitation's meeting is not read on its own
