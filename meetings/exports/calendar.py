"""The private calendar feed (SPEC §9): an iCal file of a user's upcoming
meetings at an unguessable URL, readable by a calendar app without a login.

Whose meetings: those the user owns, speaks at or staffs; a provincial or
regional manager also gets the approved meetings of the area they approve for.
The URL's token is random (256 bits), kept on the user, made with the user and
replaced by a reset — the old URL then answers 404 like any wrong one."""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from flask import current_app, request
from flask_babel import force_locale, gettext as _
from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..actionlog import log_action
from ..links import external_url
from ..auth.models import Role, User
from ..errors import NotFound
from ..extensions import db
from ..labels import label
from ..proposals.models import Meeting, Status, meeting_staff
from ..proposals.services import visible_meetings
from ..types import local_zone, utcnow

TOKEN_BYTES = 32
# A meeting is 35 minutes of content (the manual's 科室会); the slot is booked for an hour.
SLOT = timedelta(hours=1)
INVOLVED = (Status.submitted, Status.pending_regional, Status.approved, Status.in_progress)
APPROVED = (Status.approved, Status.in_progress)
MANAGERS = (Role.provincial_manager, Role.regional_manager)


def feed_url(user: User) -> str:
    """The user's feed URL. Every user has a token: made with the user
    (auth.models.User.calendar_token), or by the data migration for older ones."""
    return external_url("exports_web.calendar_feed", token=user.calendar_token)


def reset(user: User) -> str:
    """A new token: the old URL stops working at once."""
    user.calendar_token = secrets.token_urlsafe(TOKEN_BYTES)
    log_action(user, "calendar_reset", "user", user.id)
    db.session.flush()
    return feed_url(user)


def user_for_token(token: str) -> User:
    user = None
    if 32 <= len(token or "") <= 64:
        user = db.session.scalar(select(User).where(User.calendar_token == token, User.active.is_(True)))
    # compare_digest even after the lookup, so a hit and a miss cost the same
    expected = user.calendar_token if user is not None else "x" * len(token or "")
    if user is None or not secrets.compare_digest(expected.encode(), (token or "").encode()):
        raise NotFound(_("no such calendar"))
    return user


def upcoming_meetings(user: User) -> list[Meeting]:
    """From the start of today (local) on, in start order."""
    today = datetime.combine(utcnow().astimezone(local_zone()).date(), time(), local_zone())
    staffed = select(meeting_staff.c.meeting_id).where(meeting_staff.c.user_id == user.id)
    # only meetings the user may see (SPEC §1), even if named on one they may not
    # (a speaker or staff member attached before that was refused)
    visible = visible_meetings(user).with_only_columns(Meeting.id)
    mine = (Meeting.status.in_(INVOLVED) & Meeting.id.in_(visible)
            & or_(Meeting.owner_id == user.id, Meeting.speaker_id == user.id, Meeting.id.in_(staffed)))
    condition = mine
    if user.role in MANAGERS:
        approving = visible_meetings(user).where(Meeting.status.in_(APPROVED)).with_only_columns(Meeting.id)
        condition = or_(mine, Meeting.id.in_(approving))
    return list(db.session.scalars(
        select(Meeting).options(selectinload(Meeting.hospital), selectinload(Meeting.department))
        .where(condition, Meeting.starts_at >= today).order_by(Meeting.starts_at, Meeting.id)
        .limit(500)))


def ical(user: User) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//科室会 meetings//calendar feed//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "科室会")
    zone = local_zone()
    host = (current_app.config.get("PUBLIC_URL") or request.host_url).split("//", 1)[-1].strip("/")
    with force_locale("zh"):
        for meeting in upcoming_meetings(user):
            link = external_url("meetings_web.show_meeting", meeting_id=meeting.id)
            event = Event()
            event.add("uid", f"meeting-{meeting.id}@{host}")
            event.add("dtstamp", utcnow())
            event.add("dtstart", meeting.starts_at.astimezone(zone))
            event.add("dtend", (meeting.starts_at + SLOT).astimezone(zone))
            event.add("summary", meeting.topic)
            event.add("location", f"{meeting.hospital.name} {meeting.department.name} {meeting.venue}")
            event.add("description", f"{label(meeting.status)}\n{link}")
            event.add("url", link)
            event.add("status", "CONFIRMED" if meeting.status in APPROVED else "TENTATIVE")
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
