"""Sign-in and attendance (SPEC §5): staff, self (QR) and paper check-ins,
the meeting's figures, the day-before re-confirmation list and the
attendance-frequency flag (SPEC §3).

Exactly once is the database's job: CheckIn has unique keys on
(meeting, doctor) and (meeting, nonce). A check-in is inserted inside a
SAVEPOINT; when a key refuses it, the row that got there first is returned.
"""
from __future__ import annotations

import base64
import binascii
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..doctors.models import Doctor, Title
from ..doctors.services import is_key
from ..errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..extensions import db
from ..invitees.models import Invitee, InviteeStatus
from ..invitees.services import expected_invitees
from ..proposals.models import Meeting, Status
from ..proposals.services import runs_meeting
from ..signals import checkin_recorded
from ..types import UTCDateTime, as_aware, utcnow
from .models import SIGNATURE_MAX_BYTES, CheckIn, Source
from ..proposals.labels import status_text

# Who runs the day signs people in while the meeting is on; a paper sheet is
# typed in afterwards too (SPEC §5).
OPEN_FOR = {
    Source.staff: {Status.approved, Status.in_progress},
    Source.self: {Status.approved, Status.in_progress},
    Source.paper: {Status.approved, Status.in_progress, Status.held},
}
SELF_OPENS_BEFORE = timedelta(minutes=60)
SELF_CLOSES_AFTER = timedelta(minutes=120)
# A sign-in time more than this before the start is a typo, not an early bird.
EARLIEST_BEFORE_START = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)
NONCE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
SIGNATURE_MAX_PIXELS = (2400, 1200)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- reading

def get_checkin(meeting: Meeting, checkin_id: int) -> CheckIn:
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or checkin.meeting_id != meeting.id:
        raise NotFound(_("check-in not found"))
    return checkin


def checkins_of(meeting: Meeting):
    """A select of the meeting's check-ins in the order people arrived."""
    return (select(CheckIn).where(CheckIn.meeting_id == meeting.id)
            .order_by(CheckIn.checked_in_at, CheckIn.id))


def list_checkins(meeting: Meeting) -> list[CheckIn]:
    return list(db.session.scalars(checkins_of(meeting)))


# ---------------------------------------------------------------- input checks

def decode_signature(value: str | bytes | None) -> bytes | None:
    """A signature pad's `data:image/png;base64,…` (or PNG bytes) → PNG bytes,
    checked to be a real, bounded PNG image."""
    if value is None or value == "" or value == b"":
        return None
    if isinstance(value, str):
        head, _sep, payload = value.partition(",")
        if not _sep or head.strip().lower() != "data:image/png;base64":
            raise InvalidInput(_("signature: send a PNG data URL (data:image/png;base64,…)"),
                               field="signature")
        if len(payload) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
            raise InvalidInput(_("signature: the image is too large"), field="signature")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(_("signature: not valid base64"), field="signature") from None
    else:
        data = bytes(value)
    if len(data) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(_("signature: the image is too large"), field="signature")
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput(_("signature: not a PNG image"), field="signature")
    from PIL import Image  # Pillow comes with ReportLab

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except Exception:  # noqa: BLE001 — any decoder error means "not an image"
        raise InvalidInput(_("signature: not a readable PNG image"), field="signature") from None
    if width > SIGNATURE_MAX_PIXELS[0] or height > SIGNATURE_MAX_PIXELS[1]:
        raise InvalidInput(_("signature: the image is too large"), field="signature")
    return data


def _check_nonce(nonce: str | None) -> str | None:
    if nonce is None or nonce == "":
        return None
    if not (8 <= len(nonce) <= 64) or not set(nonce) <= NONCE_ALPHABET:
        raise InvalidInput(_("nonce: 8–64 characters of A–Z, a–z, 0–9, - and _"), field="nonce")
    return nonce


def _finished_at(meeting: Meeting) -> datetime | None:
    for transition in reversed(meeting.history):
        if transition.to_status == Status.held:
            return transition.at
    return None


def _check_state(meeting: Meeting, source: Source, checked_in_at: datetime | None) -> None:
    if meeting.status in OPEN_FOR[source]:
        return
    # The staff page queues sign-ins while offline and uploads them later with
    # their original times: one taken before the meeting finished still counts.
    if (source == Source.staff and meeting.status == Status.held and checked_in_at is not None
            and (finished := _finished_at(meeting)) is not None and checked_in_at <= finished):
        return
    raise InvalidTransition(_("sign-in is closed for a %(status)s meeting", status=status_text(meeting.status)))


def _sign_in_time(meeting: Meeting, source: Source, checked_in_at: datetime | None) -> datetime:
    now = utcnow()
    if checked_in_at is None:
        if source == Source.paper:
            raise InvalidInput(_("checked_in_at: a paper entry needs the time written on the sheet"),
                               field="checked_in_at")
        return now
    checked_in_at = as_aware(checked_in_at)
    if checked_in_at > now + CLOCK_SKEW:
        if source == Source.paper:
            raise InvalidInput(_("checked_in_at: the time is in the future"), field="checked_in_at")
        return now  # a device clock running fast: the server's time is the better guess
    if checked_in_at < meeting.starts_at - EARLIEST_BEFORE_START:
        raise InvalidInput(_("checked_in_at: the time is long before the meeting"), field="checked_in_at")
    return checked_in_at


@dataclass
class Person:
    doctor: Doctor | None
    name: str
    title: Title


def _person(meeting: Meeting, doctor_id: int | None, name: str | None, title) -> Person:
    if doctor_id is not None:
        doctor = db.session.get(Doctor, doctor_id)
        if doctor is None or doctor.department.hospital.province_id != meeting.province_id:
            raise InvalidInput(_("doctor_id: no such doctor (%(id)s)", id=doctor_id), field="doctor_id")
        return Person(doctor, doctor.name, doctor.title)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("name: give a doctor_id, or the walk-in's name and title"), field="name")
    if len(name) > 80:
        raise InvalidInput(_("name: at most 80 characters"), field="name")
    if title is None or title == "":
        raise InvalidInput(_("title: a walk-in needs a title"), field="title")
    try:
        title = Title(title)
    except ValueError:
        raise InvalidInput(_("title: unknown title %(title)s", title=title), field="title") from None
    return Person(None, name, title)


def _invitee_for(meeting: Meeting, doctor: Doctor | None) -> Invitee | None:
    if doctor is None:
        return None
    return db.session.scalar(select(Invitee).where(Invitee.meeting_id == meeting.id,
                                                   Invitee.doctor_id == doctor.id))


# ---------------------------------------------------------------- writing

def _existing(meeting_id: int, doctor_id: int | None, nonce: str | None) -> CheckIn | None:
    if nonce is not None:
        found = db.session.scalar(select(CheckIn).where(CheckIn.meeting_id == meeting_id,
                                                        CheckIn.nonce == nonce))
        if found is not None:
            return found
    if doctor_id is not None:
        return db.session.scalar(select(CheckIn).where(CheckIn.meeting_id == meeting_id,
                                                       CheckIn.doctor_id == doctor_id))
    return None


def _insert_once(checkin: CheckIn) -> tuple[CheckIn, bool]:
    """Insert, or return the row a unique key says was there first.
    The lookup first is only a shortcut; the SAVEPOINT insert is the guarantee."""
    existing = _existing(checkin.meeting_id, checkin.doctor_id, checkin.nonce)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            db.session.add(checkin)
    except IntegrityError:
        existing = _existing(checkin.meeting_id, checkin.doctor_id, checkin.nonce)
        if existing is None:
            raise  # a different constraint: not ours to swallow
        return existing, False
    return checkin, True


def _record_checkin(meeting: Meeting, person: Person, *, source: Source, nonce, checked_in_at,
                    meal_opt_in: bool, signature: bytes | None, actor: User | None) -> tuple[CheckIn, bool]:
    invitee = _invitee_for(meeting, person.doctor)
    checkin = CheckIn(meeting_id=meeting.id, doctor_id=person.doctor.id if person.doctor else None,
                      invitee_id=invitee.id if invitee else None, name=person.name, title=person.title,
                      source=source, nonce=nonce, checked_in_at=checked_in_at, recorded_at=utcnow(),
                      meal_opt_in=bool(meal_opt_in), signature=signature,
                      created_by_id=actor.id if actor else None)
    checkin, created = _insert_once(checkin)
    if created and invitee is not None:
        invitee.status = InviteeStatus.attended
        db.session.flush()
    if created:
        checkin_recorded.send(meeting, checkin=checkin)  # held already: follow-ups add this person
    return checkin, created


def check_in(actor: User, meeting: Meeting, doctor_id: int | None = None, name: str | None = None,
             title=None, source="staff", nonce: str | None = None,
             checked_in_at: datetime | None = None, meal_opt_in: bool = False,
             signature=None) -> tuple[CheckIn, bool]:
    """Sign one person in for those who run the meeting. Returns the check-in
    and whether it is new; a repeat (same doctor, or same nonce) returns the
    first record unchanged."""
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff sign people in"))
    try:
        source = Source(source)
    except ValueError:
        raise InvalidInput(_("source: one of staff, paper"), field="source") from None
    if source == Source.self:
        raise InvalidInput(_("source: self sign-in happens on the QR page"), field="source")
    _check_state(meeting, source, as_aware(checked_in_at) if checked_in_at else None)
    nonce = _check_nonce(nonce)
    person = _person(meeting, doctor_id, name, title)
    when = _sign_in_time(meeting, source, checked_in_at)
    return _record_checkin(meeting, person, source=source, nonce=nonce, checked_in_at=when,
                           meal_opt_in=meal_opt_in, signature=decode_signature(signature), actor=actor)


# ---------------------------------------------------------------- the QR page

def meeting_for_token(token: str, now: datetime | None = None) -> Meeting:
    """The meeting behind a self sign-in token while its page is open (60 min
    before the start to 120 min after). Anything else — a wrong token, a
    cancelled meeting, outside the window — is the same 404, so the page never
    tells whether a meeting exists."""
    token = token or ""
    meeting = None
    if 16 <= len(token) <= 64:
        meeting = db.session.scalar(select(Meeting).where(Meeting.checkin_token == token))
    # compare_digest even after the lookup, so a hit and a miss cost the same here
    expected = meeting.checkin_token if meeting is not None else "x" * len(token)
    if not secrets.compare_digest(expected.encode(), token.encode()) or meeting is None:
        raise NotFound(_("this sign-in page is not open"))
    now = now or utcnow()
    if (meeting.status not in OPEN_FOR[Source.self]
            or not meeting.starts_at - SELF_OPENS_BEFORE <= now <= meeting.starts_at + SELF_CLOSES_AFTER):
        raise NotFound(_("this sign-in page is not open"))
    return meeting


def self_check_in(token: str, doctor_id: int | None = None, name: str | None = None, title=None,
                  nonce: str | None = None, meal_opt_in: bool = False,
                  signature=None) -> tuple[CheckIn, bool]:
    """A doctor signs in on their own phone: picks their name from the invitee
    list, or types name and title as a walk-in."""
    meeting = meeting_for_token(token)
    if doctor_id is not None and _invitee_for(meeting, db.session.get(Doctor, doctor_id)) is None:
        raise InvalidInput(_("doctor_id: pick a name from the list, or type your name"), field="doctor_id")
    person = _person(meeting, doctor_id, name, title)
    return _record_checkin(meeting, person, source=Source.self, nonce=_check_nonce(nonce),
                           checked_in_at=utcnow(), meal_opt_in=meal_opt_in,
                           signature=decode_signature(signature), actor=None)


def self_checkin_choices(meeting: Meeting) -> list[Invitee]:
    """The names a doctor picks from on the QR page: everyone on the list but
    those who declined, in name order."""
    invitees = db.session.scalars(
        select(Invitee).options(selectinload(Invitee.doctor))  # one query, not one per name
        .where(Invitee.meeting_id == meeting.id, Invitee.status != InviteeStatus.declined)).all()
    return sorted(invitees, key=lambda i: i.doctor.name)


# ---------------------------------------------------------------- figures

def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def attendance(meeting: Meeting) -> dict:
    """The figures of SPEC §5. A backup who came without being promoted is an
    invited attendee (and, if A/B, a key one); nurses and interns are never key."""
    present_doctors = set(db.session.scalars(
        select(CheckIn.doctor_id).where(CheckIn.meeting_id == meeting.id,
                                        CheckIn.doctor_id.is_not(None))))
    present = db.session.scalar(select(func.count()).select_from(CheckIn)
                                .where(CheckIn.meeting_id == meeting.id))
    invited = {i.doctor_id: i for i in meeting.invitees}
    expected = expected_invitees(meeting)
    key_expected = [i for i in expected if is_key(i.doctor)]
    attended_invited = [invited[d] for d in present_doctors if d in invited]
    key_present = [i for i in attended_invited if is_key(i.doctor)]
    return {
        "expected": len(expected),
        "present": present,
        "attended_invited": len(attended_invited),
        "attendance_rate": _rate(present, len(expected)),
        "accuracy_rate": _rate(len(attended_invited), present),
        "invited_attendance_rate": _rate(len(attended_invited), len(expected)),
        "key_expected": len(key_expected),
        "key_present": len(key_present),
        "key_attendance_rate": _rate(len(key_present), len(key_expected)),
    }


# ---------------------------------------------------------------- frequency

def recent_attendance(meeting: Meeting) -> dict[int, int]:
    """doctor_id → how many other meetings each invitee attended in the
    ATTENDANCE_FREQUENCY_DAYS before this meeting's start (SPEC §3)."""
    return recent_attendance_of([meeting])[meeting.id]


def recent_attendance_of(meetings: list[Meeting]) -> dict[int, dict[int, int]]:
    """recent_attendance of several meetings in one statement (a page of a
    list), each meeting's window bound as a row of a VALUES-like CTE; kept
    per request, so a page asks once however many invitees it shows."""
    cached = g.setdefault("_recent_attendance", {}) if has_request_context() else {}
    wanted = [m for m in meetings if m.id not in cached]
    if wanted:
        days = timedelta(days=current_app.config["ATTENDANCE_FREQUENCY_DAYS"])
        windows = union_all(*(
            select(literal(m.id).label("meeting_id"),
                   literal(m.starts_at - days, UTCDateTime()).label("opens"),
                   literal(m.starts_at, UTCDateTime()).label("closes"))
            for m in wanted)).cte("windows")
        rows = db.session.execute(
            select(windows.c.meeting_id, CheckIn.doctor_id, func.count(func.distinct(CheckIn.meeting_id)))
            .select_from(windows)
            .join(Invitee, Invitee.meeting_id == windows.c.meeting_id)
            .join(CheckIn, and_(CheckIn.doctor_id == Invitee.doctor_id,
                                CheckIn.meeting_id != windows.c.meeting_id,
                                CheckIn.checked_in_at >= windows.c.opens,
                                CheckIn.checked_in_at < windows.c.closes))
            .group_by(windows.c.meeting_id, CheckIn.doctor_id))
        for m in wanted:
            cached[m.id] = {}
        for meeting_id, doctor_id, n in rows:
            cached[meeting_id][doctor_id] = n
    return {m.id: cached[m.id] for m in meetings}


def is_frequent(invitee: Invitee) -> bool:
    limit = current_app.config["ATTENDANCE_FREQUENCY_LIMIT"]
    return recent_attendance(invitee.meeting).get(invitee.doctor_id, 0) >= limit


def frequency_warnings(meeting: Meeting) -> list[str]:
    limit = current_app.config["ATTENDANCE_FREQUENCY_LIMIT"]
    days = current_app.config["ATTENDANCE_FREQUENCY_DAYS"]
    counts = recent_attendance(meeting)
    return [_("attendance_frequency: %(name)s attended %(n)s meetings in the last %(days)s days",
              name=i.doctor.name, n=counts[i.doctor_id], days=days)
            for i in meeting.invitees if counts.get(i.doctor_id, 0) >= limit]
