"""Notifications: in-app for everyone, e-mail through SMTP when configured
(SPEC §8). Nothing is lost: mail waits in the outbox until it is sent."""
from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..auth.models import User
from ..database import insert_once
from ..errors import NotFound
from ..extensions import db
from ..types import utcnow
from .messages import in_language
from .models import Notification, OutgoingMail

MAX_BACKOFF = timedelta(hours=6)


def notify(user: User, key: str, subject: str, body: str = "", link: str | None = None) -> int | None:
    """Tell `user` once about `key`; returns the new notification id, or None
    if they were already told."""
    notification_id = insert_once(Notification, dict(
        user_id=user.id, key=key[:120], subject=subject[:200], body=body, link=link,
        created_at=utcnow()), conflict=["user_id", "key"])
    if notification_id is not None and user.email:
        db.session.add(OutgoingMail(notification_id=notification_id, to_address=user.email,
                                    subject=subject[:200], body=body, status="pending",
                                    attempts=0, next_attempt_at=utcnow()))
        db.session.flush()
    return notification_id


def tell(user: User, key: str, kind: str, params: dict, link: str | None = None) -> int | None:
    """Tell `user` once about `key` with a message of `kind` (messages.py):
    stored as kind + parameters and put into words when read; the e-mail copy
    is written in the default language."""
    copy = in_language(kind, params, current_app.config.get("BABEL_DEFAULT_LOCALE") or "zh")
    notification_id = insert_once(Notification, dict(
        user_id=user.id, key=key[:120], subject=copy.subject[:200], body=copy.body, kind=kind,
        params=params, link=link, created_at=utcnow()), conflict=["user_id", "key"])
    if notification_id is not None and user.email:
        db.session.add(OutgoingMail(notification_id=notification_id, to_address=user.email,
                                    subject=copy.subject[:200], body=copy.body, status="pending",
                                    attempts=0, next_attempt_at=utcnow()))
        db.session.flush()
    return notification_id


def for_user(user: User):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user: User) -> int:
    from sqlalchemy import func
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def get_own(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("notification not found")
    return notification


def mark_read(user: User, notification_id: int) -> Notification:
    notification = get_own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def deliver_pending(limit: int = 200) -> dict:
    """Send what is due. A failure is recorded and retried with back-off;
    it never breaks the job and never drops the message."""
    if not smtp_configured():
        return {"sent": 0, "failed": 0, "skipped": "no SMTP_HOST configured; mail stays in the outbox"}
    cfg = current_app.config
    query = (select(OutgoingMail)
             .where(OutgoingMail.status == "pending", OutgoingMail.next_attempt_at <= utcnow())
             .order_by(OutgoingMail.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two senders never send one mail twice
    sent = failed = 0
    for mail in db.session.scalars(query).all():
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = cfg["SMTP_SENDER"], mail.to_address, mail.subject
        message.set_content(mail.body or mail.subject)
        try:
            with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
                if cfg.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if cfg.get("SMTP_USER"):
                    smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            mail.attempts += 1
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.next_attempt_at = utcnow() + min(timedelta(minutes=2 ** mail.attempts), MAX_BACKOFF)
            failed += 1
        else:
            mail.status, mail.sent_at, mail.attempts = "sent", utcnow(), mail.attempts + 1
            sent += 1
        db.session.flush()
    return {"sent": sent, "failed": failed}


def outbox():
    return select(OutgoingMail).order_by(OutgoingMail.id.desc())
