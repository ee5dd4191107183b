"""Approvals racing over one pool, from separate processes with their own
connections. Meaningful on PostgreSQL (row locks, conditional UPDATE); on
SQLite the same test shows that BEGIN IMMEDIATE serialises writers."""
import multiprocessing
from decimal import Decimal

import pytest

from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals.models import Meeting, Status


def _approve(args):
    url, user_id, meeting_id, barrier = args
    from meetings import create_app
    from meetings.auth.models import User
    from meetings.errors import DomainError
    from meetings.proposals import services

    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.rollback()  # end the read transaction before the race
        barrier.wait(timeout=60)
        try:
            services.perform(user, meeting_id, "approve")
            db.session.commit()
            return "approved"
        except DomainError as exc:
            db.session.rollback()
            return exc.reason
        finally:
            db.engine.dispose()


def _race(app, jobs):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # children must not share the parent's sockets
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with ctx.Pool(len(jobs)) as pool:
            return pool.map(_approve, [(url, u, m, barrier) for u, m in jobs])


@pytest.mark.postgres
def test_sixteen_approvals_never_overspend_the_pool(app, org, make_meeting):
    meetings = [make_meeting("submitted") for _ in range(16)]
    period_pools = db.session.query(BudgetPool).filter_by(province_id=org.province.id).all()
    for pool in period_pools:
        pool.amount = Decimal("10000")  # room for exactly 5 meetings of 2000
    db.session.commit()
    results = _race(app, [(org.pm.id, m.id) for m in meetings])
    assert results.count("approved") == 5
    assert results.count("pool_exhausted") == 11
    pool = db.session.query(BudgetPool).filter(BudgetPool.spent > 0).one()
    assert pool.spent == Decimal("10000.00")
    assert db.session.query(Meeting).filter_by(status=Status.approved).count() == 5


@pytest.mark.postgres
def test_a_meeting_is_approved_at_most_once(app, org, make_meeting):
    meeting = make_meeting("submitted")
    results = _race(app, [(org.pm.id, meeting.id)] * 8)
    assert results.count("approved") == 1
    assert results.count("invalid_transition") == 7
    pool = db.session.query(BudgetPool).filter(BudgetPool.spent > 0).one()
    assert pool.spent == Decimal("2000.00")
    approvals = [t for t in db.session.get(Meeting, meeting.id).history if t.action == "approve"]
    assert len(approvals) == 1
