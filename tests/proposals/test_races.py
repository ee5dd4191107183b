"""Approvals racing over one pool, from separate processes with their own
connections. Meaningful on PostgreSQL (row locks, conditional UPDATE); on
SQLite the same test shows that BEGIN IMMEDIATE serialises writers."""
from decimal import Decimal

import pytest

from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals.models import Meeting, Status
from tests.races import race

pytestmark = pytest.mark.real_commits  # processes of their own race on the database (tests/races.py)


def _approve(user, meeting_id):
    from meetings.proposals import services

    services.perform(user, meeting_id, "approve")
    return "approved"


@pytest.mark.postgres
def test_sixteen_approvals_never_overspend_the_pool(app, org, make_meeting):
    meetings = [make_meeting("submitted") for _ in range(16)]
    period_pools = db.session.query(BudgetPool).filter_by(province_id=org.province.id).all()
    for pool in period_pools:
        pool.amount = Decimal("10000")  # room for exactly 5 meetings of 2000
    db.session.commit()
    results = race(app, _approve, [(org.pm.id, m.id) for m in meetings])
    assert results.count("approved") == 5
    assert results.count("pool_exhausted") == 11
    pool = db.session.query(BudgetPool).filter(BudgetPool.spent > 0).one()
    assert pool.spent == Decimal("10000.00")
    assert db.session.query(Meeting).filter_by(status=Status.approved).count() == 5


@pytest.mark.postgres
def test_a_meeting_is_approved_at_most_once(app, org, make_meeting):
    meeting = make_meeting("submitted")
    results = race(app, _approve, [(org.pm.id, meeting.id)] * 8)
    assert results.count("approved") == 1
    assert results.count("invalid_transition") == 7
    pool = db.session.query(BudgetPool).filter(BudgetPool.spent > 0).one()
    assert pool.spent == Decimal("2000.00")
    approvals = [t for t in db.session.get(Meeting, meeting.id).history if t.action == "approve"]
    assert len(approvals) == 1
