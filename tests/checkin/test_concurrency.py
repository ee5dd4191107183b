"""Exactly once under real concurrency: several processes, each with its own
engine, sign the same people in at the same moment. SQLite serialises
writers, so the race is only real on PostgreSQL."""
import multiprocessing
import os

import pytest

from meetings.checkin.models import CheckIn
from meetings.extensions import db

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.real_commits,  # processes of their own sign people in at once
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="needs TEST_DATABASE_URL=postgresql+psycopg://…"),
]

PROCESSES = 4  # every doctor is signed in once by each: 4 attempts per doctor


def _sign_in_everyone(url, meeting_id, actor_id, people, go, results):
    from meetings import create_app
    from meetings.auth.models import User
    from meetings.checkin import services
    from meetings.proposals.models import Meeting

    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": url,
                      "TESTING": True})
    with app.app_context():
        actor = db.session.get(User, actor_id)
        db.session.commit()
        go.wait(timeout=60)
        out = []
        for person in people:
            meeting = db.session.get(Meeting, meeting_id)
            checkin, created = services.check_in(actor, meeting, **person)
            db.session.commit()
            out.append((person.get("doctor_id") or person["nonce"], checkin.id, created))
        db.engine.dispose()
    results.put(out)


def test_thirty_doctors_signed_in_four_times_at_once_leave_thirty_records(
        org, meeting_with, doctors, database_url):
    invited = doctors(*["C"] * 30)
    meeting = meeting_with(invited, status="in_progress")
    people = [{"doctor_id": d.id} for d in invited]
    people += [{"name": f"走访{i}", "title": "nurse", "nonce": f"walkin-nonce-{i:04d}"} for i in range(10)]
    db.session.commit()

    ctx = multiprocessing.get_context("spawn")
    go, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_sign_in_everyone,
                           args=(database_url, meeting.id, org.staff.id,
                                 people if n % 2 == 0 else list(reversed(people)), go, results))
               for n in range(PROCESSES)]
    for worker in workers:
        worker.start()
    go.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    db.session.expire_all()
    rows = db.session.query(CheckIn).filter_by(meeting_id=meeting.id).all()
    assert len([r for r in rows if r.doctor_id is not None]) == 30
    assert len([r for r in rows if r.doctor_id is None]) == 10
    ids_per_person = {}
    for outcome in outcomes:
        for person, checkin_id, _created in outcome:
            ids_per_person.setdefault(person, set()).add(checkin_id)
    assert all(len(ids) == 1 for ids in ids_per_person.values())  # every attempt saw the one record
    assert sum(created for outcome in outcomes for *_, created in outcome) == 40
