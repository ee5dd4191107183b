"""Mail delivery never stops on one bad message (SPEC §8, issue 15 item 5)."""
from __future__ import annotations

import pytest

from meetings.extensions import db
from meetings.jobs import run_job
from meetings.notifications import services
from meetings.notifications.models import Notification, OutgoingMail
from meetings.types import utcnow
from tests.notifications.test_services import smtp  # noqa: F401  (the fixture)


def _queue(org, subject, to="pm@example.com"):
    notification = Notification(user_id=org.pm.id, key=f"k{subject!r}"[:100], subject="s", created_at=utcnow())
    db.session.add(notification)
    db.session.flush()
    db.session.add(OutgoingMail(notification_id=notification.id, to_address=to, subject=subject, body="b",
                                status="pending", attempts=0, next_attempt_at=utcnow()))
    db.session.commit()


def test_a_message_that_cannot_be_built_is_failed_and_the_queue_goes_on(org, smtp):  # noqa: F811
    _queue(org, "first")
    _queue(org, "Eve\r\nBcc: x@evil.test")  # stored before input was filtered
    _queue(org, "third")
    assert run_job("deliver_mail") == {"sent": 2, "failed": 1}
    assert smtp.sent == [("pm@example.com", "first"), ("pm@example.com", "third")]
    broken = db.session.query(OutgoingMail).filter_by(status="failed").one()
    assert "cannot build" in broken.last_error
    assert run_job("deliver_mail") == {"sent": 0, "failed": 0}  # nothing sent twice, nothing stuck


def test_each_mail_is_committed_on_its_own(org, smtp, monkeypatch):  # noqa: F811
    _queue(org, "first")
    _queue(org, "second")
    calls = []
    real = smtp.send_message

    def crash_on_second(self, message):
        calls.append(message["Subject"])
        if len(calls) == 2:
            raise RuntimeError("the process dies here")
        real(self, message)
    monkeypatch.setattr(smtp, "send_message", crash_on_second)
    with pytest.raises(RuntimeError):
        run_job("deliver_mail")
    db.session.rollback()
    statuses = {m.subject: m.status for m in db.session.query(OutgoingMail)}
    assert statuses == {"first": "sent", "second": "pending"}  # the first is never sent again


def test_user_text_never_reaches_a_mail_header_unfiltered(org, smtp):  # noqa: F811
    org.pm.email = "pm@example.com"
    services.notify(org.pm, "walk-in", "Walk-in Eve\r\nBcc: x@evil.test\u202e", "line one\r\nline two\x07")
    db.session.commit()
    mail = db.session.query(OutgoingMail).one()
    assert mail.subject == "Walk-in Eve Bcc: x@evil.test"
    assert mail.body == "line one\nline two"
    assert run_job("deliver_mail") == {"sent": 1, "failed": 0}
