import smtplib
from datetime import timedelta

import pytest
import time_machine

from meetings.extensions import db
from meetings.jobs import run_job
from meetings.notifications import services
from meetings.notifications.models import Notification, OutgoingMail
from meetings.types import utcnow


class FakeSMTP:
    sent: list = []
    fail = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.fail:
            raise ConnectionRefusedError("SMTP server down")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append((message["To"], message["Subject"]))


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.fail = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config["SMTP_HOST"] = "smtp.test"
    return FakeSMTP


def test_a_person_is_told_once_per_key(org):
    assert services.notify(org.pm, "overdue:followup:1", "Overdue") is not None
    assert services.notify(org.pm, "overdue:followup:1", "Overdue") is None
    db.session.commit()
    assert db.session.query(Notification).count() == 1


def test_without_smtp_mail_waits_in_the_outbox(org):
    org.pm.email = "pm@example.com"
    services.notify(org.pm, "k", "Subject", "Body")
    result = run_job("deliver_mail")
    assert "skipped" in result
    mail = db.session.query(OutgoingMail).one()
    assert mail.status == "pending" and mail.to_address == "pm@example.com"


def test_mail_is_sent_when_smtp_is_configured(org, smtp):
    org.pm.email = "pm@example.com"
    services.notify(org.pm, "k", "Subject", "Body")
    assert run_job("deliver_mail") == {"sent": 1, "failed": 0}
    assert smtp.sent == [("pm@example.com", "Subject")]
    assert run_job("deliver_mail") == {"sent": 0, "failed": 0}  # never twice


def test_a_failing_smtp_server_keeps_the_message_for_a_retry(org, smtp):
    org.pm.email = "pm@example.com"
    services.notify(org.pm, "k", "Subject", "Body")
    smtp.fail = True
    assert run_job("deliver_mail") == {"sent": 0, "failed": 1}
    mail = db.session.query(OutgoingMail).one()
    assert mail.status == "pending" and mail.attempts == 1 and "down" in mail.last_error
    smtp.fail = False
    assert run_job("deliver_mail")["sent"] == 0  # backing off: not due yet
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert run_job("deliver_mail")["sent"] == 1
    assert db.session.query(OutgoingMail).one().status == "sent"


def test_notification_api(org, api_as):
    services.notify(org.rep, "hello", "Hello")
    db.session.commit()
    rep = api_as(org.rep)
    items = rep.get("/notifications").json
    assert [n["subject"] for n in items] == ["Hello"] and items[0]["read"] is False
    assert rep.post(f"/notifications/{items[0]['id']}/read").json["read"] is True
    assert api_as(org.pm).post(f"/notifications/{items[0]['id']}/read").status_code == 404
    assert api_as(org.pm).get("/notifications").json == []
    assert rep.get(f"/notifications/{items[0]['id']}").json["subject"] == "Hello"
    assert api_as(org.pm).get(f"/notifications/{items[0]['id']}").status_code == 404
