"""Notifications: in-app for everyone, e-mail through SMTP when configured
(SPEC §8). Nothing is lost: mail waits in the outbox until it is sent."""
from __future__ import annotations

import smtplib
import unicodedata
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import Select, String, cast, func, literal, select, update
from sqlalchemy.orm import selectinload

from flask_babel import gettext as _
from ..agenda.services import unticked
from ..auth.models import User
from ..database import commit_job_batch, dialect_insert, insert_once
from ..errors import NotFound
from ..extensions import db
from ..doctors.models import Doctor, Hospital
from ..followups.models import FollowUp
from ..followups.services import managers_for, overdue_clause, today
from ..invitees.models import Invitee
from ..invitees.services import to_reconfirm
from ..orgs.models import Province
from ..proposals.models import Meeting, Status
from ..types import local_zone, utcnow
from .messages import in_language
from .models import Notification, OutgoingMail

MAX_BACKOFF = timedelta(hours=6)


def notify(user: User, key: str, subject: str, body: str = "", link: str | None = None) -> int | None:
    """Tell `user` once about `key`; returns the new notification id, or None
    if they were already told."""
    subject, body = one_line(subject)[:200], plain_text(body)  # never a header break (SPEC §8)
    notification_id = insert_once(Notification, dict(
        user_id=user.id, key=key[:120], subject=subject, body=body, link=link,
        created_at=utcnow()), conflict=["user_id", "key"])
    if notification_id is not None and user.email:
        db.session.add(OutgoingMail(notification_id=notification_id, to_address=user.email,
                                    subject=subject[:200], body=body, status="pending",
                                    attempts=0, next_attempt_at=utcnow()))
        db.session.flush()
    return notification_id


def plain_text(text: str | None) -> str:
    """Text from users as it may reach a mail: control and invisible
    characters (Unicode Cc/Cf) removed, line breaks kept."""
    if (text or "").replace("\n", "").replace("\t", "").isprintable():
        return text or ""  # nothing to remove (the usual case): no walk through every character
    return "".join(c for c in (text or "") if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf")
                   ).replace("\r", "")


def one_line(text: str | None) -> str:
    """Text for a mail header: every line break and control character is a space."""
    if (text or "").isprintable():
        return " ".join((text or "").split())  # no line break or control character in it
    return " ".join("".join(c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else " "
                            for c in (text or "")).split())


def tell(user: User, key: str, kind: str, params: dict, link: str | None = None) -> int | None:
    """Tell `user` once about `key` with a message of `kind` (messages.py):
    stored as kind + parameters and put into words when read; the e-mail copy
    is written in the default language."""
    copy = in_language(kind, params, current_app.config.get("BABEL_DEFAULT_LOCALE") or "zh")
    subject, body = one_line(copy.subject)[:200], plain_text(copy.body)  # never a header break (SPEC §8)
    notification_id = insert_once(Notification, dict(
        user_id=user.id, key=key[:120], subject=subject, body=body, kind=kind,
        params=params, link=link, created_at=utcnow()), conflict=["user_id", "key"])
    if notification_id is not None and user.email:
        db.session.add(OutgoingMail(notification_id=notification_id, to_address=user.email,
                                    subject=subject, body=body, status="pending",
                                    attempts=0, next_attempt_at=utcnow()))
        db.session.flush()
    return notification_id


def tell_many(messages: list[dict]) -> int:
    """`tell` for many at once: each message a dict of user (a User), key,
    kind, params and link. One multi-row INSERT … ON CONFLICT (user, key)
    DO NOTHING, then the e-mail copies of the new ones in one more. Returns
    how many were new."""
    if not messages:
        return 0
    now = utcnow()
    language = current_app.config.get("BABEL_DEFAULT_LOCALE") or "zh"
    rows = {}
    for m in messages:
        copy = in_language(m["kind"], m["params"], language)  # the e-mail's words
        rows[(m["user"].id, m["key"][:120])] = dict(
            user_id=m["user"].id, key=m["key"][:120], subject=one_line(copy.subject)[:200],
            body=plain_text(copy.body), kind=m["kind"], params=m["params"], link=m.get("link"),
            created_at=now)
    # Core tables, not the ORM classes: executemany without the ORM's bulk bookkeeping
    table = Notification.__table__
    new = db.session.execute(
        dialect_insert(table).on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(table.c.id, table.c.user_id, table.c.key), list(rows.values())).all()
    emails = {m["user"].id: m["user"].email for m in messages}
    mails = [dict(notification_id=n.id, to_address=emails[n.user_id], subject=rows[(n.user_id, n.key)]["subject"],
                  body=rows[(n.user_id, n.key)]["body"], status="pending", attempts=0, next_attempt_at=now)
             for n in new if emails[n.user_id]]
    if mails:
        db.session.execute(dialect_insert(OutgoingMail.__table__), mails)
    return len(new)


def for_user(user: User):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user: User) -> int:
    """The count beside "Notifications" in the menu."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def get_own(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("notification not found"))
    return notification


def mark_read(user: User, notification_id: int) -> Notification:
    notification = get_own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    """"全部已读": every unread notification of the user marked read now, in
    one UPDATE; returns how many."""
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount or 0


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def _build(mail: OutgoingMail) -> EmailMessage:
    """Raises ValueError when the message cannot be built (a header with a
    line break in it, stored before text was filtered at input)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = cfg["SMTP_SENDER"], mail.to_address, mail.subject
    message.set_content(mail.body or mail.subject)
    message.as_bytes()  # renders every header now, so a bad one fails here and not half way
    return message


def deliver_pending(limit: int = 200) -> dict:
    """Send what is due, one mail per transaction (SPEC §8): each is sent and
    recorded on its own, so a crash after some keeps them sent and never
    sends them again. A send that fails is retried with back-off; a message
    that cannot be built is marked failed with the reason and never blocks
    the queue. The caller's transaction is committed first."""
    if not smtp_configured():
        return {"sent": 0, "failed": 0, "skipped": "no SMTP_HOST configured; mail stays in the outbox"}
    cfg = current_app.config
    query = (select(OutgoingMail)
             .where(OutgoingMail.status == "pending", OutgoingMail.next_attempt_at <= utcnow())
             .order_by(OutgoingMail.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two senders never send one mail twice
    commit_job_batch()
    sent = failed = 0
    for _attempt in range(limit):
        mail = db.session.scalar(query)
        if mail is None:
            break
        try:
            message = _build(mail)
        except (ValueError, TypeError, UnicodeError) as exc:
            mail.status, mail.last_error = "failed", f"cannot build the message: {exc}"[:2000]
            failed += 1
            commit_job_batch()
            continue
        try:
            with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
                if cfg.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if cfg.get("SMTP_USER"):
                    smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            mail.attempts += 1
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.next_attempt_at = utcnow() + min(timedelta(minutes=2 ** mail.attempts), MAX_BACKOFF)
            failed += 1
        else:
            mail.status, mail.sent_at, mail.attempts = "sent", utcnow(), mail.attempts + 1
            sent += 1
        commit_job_batch()
    return {"sent": sent, "failed": failed}


def outbox():
    return select(OutgoingMail).order_by(OutgoingMail.id.desc())


# ---------------------------------------------------------------- overdue follow-ups

def escalate_overdue(batch: int = 2000) -> dict:
    """Tell the manager(s) about each open task past its due date, once per
    task and manager (notification key overdue:followup:<id>). A told task is
    marked so the next run skips it; the key keeps a race to one message.
    Set-based: per batch of tasks one query for them, one for their
    managers, one insert of the notifications and one of their mail, one
    update marking them — and one commit, so a killed run keeps what it told."""
    day = today()
    told = tasks = last = 0
    while True:
        chunk = db.session.execute(
            select(FollowUp.id, FollowUp.kind, FollowUp.assignee_id, FollowUp.due_on,
                   FollowUp.walk_in_name, Doctor.name.label("doctor"), User.display_name.label("assignee"),
                   Meeting.province_id, Province.region_id, Meeting.topic, Hospital.name.label("hospital"))
            .join(Meeting, Meeting.id == FollowUp.meeting_id)
            .join(Province, Province.id == Meeting.province_id)
            .join(Hospital, Hospital.id == Meeting.hospital_id)
            .join(User, User.id == FollowUp.assignee_id)
            .outerjoin(Doctor, Doctor.id == FollowUp.doctor_id)
            .where(overdue_clause(day), FollowUp.escalated_at.is_(None), FollowUp.id > last)
            .order_by(FollowUp.id).limit(batch)).all()
        if not chunk:
            break
        managers = managers_for((t.province_id, t.region_id, t.assignee_id) for t in chunk)
        messages = []
        for task in chunk:
            params = {"kind": {"code": task.kind.value, "kind": "FollowUpKind"},
                      "person": task.doctor or task.walk_in_name or "", "assignee": task.assignee,
                      "hospital": task.hospital, "topic": task.topic, "due": task.due_on.isoformat()}
            messages += [dict(user=manager, key=f"overdue:followup:{task.id}", kind="followup_overdue",
                              params=params, link=f"/followups/{task.id}")
                         for manager in managers[(task.province_id, task.region_id, task.assignee_id)]]
        told += tell_many(messages)
        ids = [task.id for task in chunk]
        db.session.execute(update(FollowUp).where(FollowUp.id.in_(ids)).values(escalated_at=utcnow())
                           .execution_options(synchronize_session=False))
        commit_job_batch()
        tasks += len(ids)
        last = ids[-1]
    return {"overdue_tasks": tasks, "notified": told}


# ---------------------------------------------------------------- day-before reminder
# (moved from follow-ups: it tells, it creates no task)

def meetings_starting_on(day: date) -> Select:
    start = datetime.combine(day, datetime.min.time(), tzinfo=local_zone())
    return (select(Meeting).where(Meeting.status == Status.approved, Meeting.starts_at >= start,
                                  Meeting.starts_at < start + timedelta(days=1))
            .order_by(Meeting.starts_at, Meeting.id))


def remind_day_before() -> dict:
    """The day before an approved meeting (local dates), tell its owner once
    whom to re-confirm (key invitees not confirmed yet) and, if any, what on
    the materials checklist is still unticked. Meetings whose owner was told
    are left out in the query; the rest load with their invitees and owners
    at once and are told in one insert (the key keeps a race to one message)."""
    told = select(Notification.id).where(
        Notification.user_id == Meeting.owner_id,
        Notification.key == literal("reminder:meeting:") + cast(Meeting.id, String))
    meetings = db.session.scalars(
        meetings_starting_on(today() + timedelta(days=1)).where(~told.exists())
        .options(selectinload(Meeting.invitees).selectinload(Invitee.doctor),
                 selectinload(Meeting.owner), selectinload(Meeting.hospital))).all()
    messages = []
    for meeting in meetings:
        # whom to re-confirm, what is unticked: kept as lists, shown one per line
        params = {"topic": meeting.topic, "hospital": meeting.hospital.name,
                  "reconfirm": [i.doctor.name for i in to_reconfirm(meeting)],
                  "unticked": [{"key": item.key} if not item.label else {"label": item.label}
                               for item in unticked(meeting)]}
        messages.append(dict(user=meeting.owner, key=f"reminder:meeting:{meeting.id}", kind="day_before",
                             params=params, link=f"/meetings/{meeting.id}"))
    return {"reminded": tell_many(messages)}
