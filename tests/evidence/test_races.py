"""Uploads racing, from separate processes with their own connections: the
partial unique index keeps one live receipt per invoice number, the meeting's
row lock keeps the count under its limit. Real on PostgreSQL; on SQLite the
same tests show BEGIN IMMEDIATE serialising the writers."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from meetings.evidence.models import Attachment
from meetings.extensions import db
from tests.races import race

pytestmark = pytest.mark.real_commits  # several connections race for real


def _upload(user, meeting_id, invoice_no, seed):
    from meetings.evidence import services
    from meetings.proposals.models import Meeting
    from tests.evidence.conftest import jpeg_bytes

    meeting = db.session.get(Meeting, meeting_id)
    fields = ({"kind": "receipt", "category": "meals", "amount": Decimal("100"), "invoice_no": invoice_no,
               "issued_on": date(2026, 12, 1)} if invoice_no else {"kind": "photo"})
    services.add_attachment(user, meeting, io.BytesIO(jpeg_bytes(color=(seed, seed, 0))),
                            filename="r.jpg", **fields)
    return "attached"


@pytest.fixture
def shared_store(monkeypatch, files_root):
    """The racing processes make their own app from the environment: the same store as the test's."""
    monkeypatch.setenv("FILES_URL", f"file://{files_root}")


@pytest.mark.postgres
def test_one_invoice_number_racing_from_six_uploads_is_attached_once(app, org, make_meeting, shared_store):
    meetings = [make_meeting("approved") for _ in range(2)]
    db.session.commit()
    results = race(app, _upload, [(org.rep.id, meetings[n % 2].id, "04409999", n) for n in range(6)])
    assert results.count("attached") == 1 and results.count("duplicate_invoice") == 5
    assert len(db.session.scalars(select(Attachment)).all()) == 1


@pytest.mark.postgres
def test_the_last_place_of_a_meeting_is_taken_once(app, org, make_meeting, shared_store, monkeypatch):
    monkeypatch.setenv("ATTACHMENT_MAX_PER_MEETING", "2")
    meeting = make_meeting("approved")
    db.session.commit()
    results = race(app, _upload, [(org.rep.id, meeting.id, None, n) for n in range(5)])
    assert results.count("attached") == 2 and results.count("too_many_attachments") == 3
