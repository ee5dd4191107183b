"""Sign-in and attendance (SPEC §5): staff, self (QR) and paper check-ins,
the meeting's figures, the day-before re-confirmation list and the
attendance-frequency flag (SPEC §3).

Exactly once is the database's job: CheckIn has unique keys on
(meeting, doctor) and (meeting, nonce). A check-in is inserted with
INSERT … ON CONFLICT DO NOTHING; when a key refuses it, the row that got
there first is returned.
"""
from __future__ import annotations

import base64
import binascii
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from ..auth.models import User
from ..doctors.models import Department, Doctor, Hospital, Title
from ..doctors.services import is_key, key_clause
from .. import throttle
from ..throttle import Throttled  # noqa: F401  (the QR page catches it from here)
from ..errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from ..database import dialect_insert
from ..extensions import db
from ..actionlog import log_action
from ..invitees.models import Invitee, InviteeStatus
from ..invitees.services import expected_clause, is_expected, on_standby
from ..proposals.models import Meeting, Status
from ..proposals.services import note_in_history, runs_meeting
from ..signals import checkin_recorded, checkin_voided
from ..types import UTCDateTime, as_aware, to_local, utcnow
from .models import SIGNATURE_MAX_BYTES, CheckIn, Source
from .models import SIGNATURE_MAX_PIXELS as SIGNATURE_STORED_PIXELS
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


def checkins_of(meeting: Meeting, *, voided: bool = True):
    """A select of the meeting's check-ins in the order people arrived;
    voided=False leaves out the voided ones (figures, sheet, follow-ups)."""
    query = select(CheckIn).where(CheckIn.meeting_id == meeting.id)
    if not voided:
        query = query.where(CheckIn.voided_at.is_(None))
    return query.order_by(CheckIn.checked_in_at, CheckIn.id)


def list_checkins(meeting: Meeting, *, voided: bool = False) -> list[CheckIn]:
    """The check-ins that count; voided=True adds the voided ones."""
    return list(db.session.scalars(checkins_of(meeting, voided=voided)))


@dataclass
class SheetRows:
    """Who is on the printed sign-in sheet (SPEC §4, §5), read in two statements."""
    expected: list[Invitee]  # SPEC §5 `expected`: key customers first, then by name
    backups: list[Invitee]  # backups standing by, not counted in `expected`
    signed: dict[int, CheckIn]  # doctor_id → the check-in of someone listed above
    others: list[CheckIn]  # everyone else who signed in, in the order they came
    invitees: dict[int, Invitee]  # id → every invitee, for a backup's primary

    def primary_of(self, backup: Invitee) -> Invitee | None:
        return self.invitees.get(backup.backup_for_id)


def sheet_rows(meeting: Meeting) -> SheetRows:
    """The sign-in sheet's rows: the expected invitees, then the backups
    standing by — a backup who comes is an invited attendee on their own
    row, not a walk-in (SPEC §4) — then the others who signed in."""
    invitees = db.session.scalars(
        select(Invitee).join(Invitee.doctor).options(contains_eager(Invitee.doctor))
        .where(Invitee.meeting_id == meeting.id)).all()
    checkins = list_checkins(meeting)
    expected = sorted((i for i in invitees if is_expected(i)),
                      key=lambda i: (not is_key(i.doctor), i.doctor.name))
    backups = sorted((i for i in invitees if on_standby(i)), key=lambda i: i.doctor.name)
    listed = {i.doctor_id for i in expected} | {i.doctor_id for i in backups}
    signed = {c.doctor_id: c for c in checkins if c.doctor_id in listed}
    others = [c for c in checkins if c.doctor_id is None or c.doctor_id not in listed]
    return SheetRows(expected, backups, signed, others, {i.id: i for i in invitees})


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
    return reencode_signature(data)


def reencode_signature(data: bytes) -> bytes:
    """Decodes the whole image and writes it again as a fresh PNG (grey and
    alpha, at most SIGNATURE_STORED_PIXELS): chunks that are valid around
    corrupt image data pass Pillow's verify() but not a full decode, and
    nothing the client wrote besides the pixels is kept."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValueError("not a PNG")
            width, height = image.size  # from the header, before any pixel is decoded
            if width > SIGNATURE_MAX_PIXELS[0] or height > SIGNATURE_MAX_PIXELS[1]:
                raise InvalidInput(_("signature: the image is too large"), field="signature")
            image.load()
            pixels = image.convert("LA")
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 — any decoder error means "not an image"
        raise InvalidInput(_("signature: not a readable PNG image"), field="signature") from None
    pixels.thumbnail(SIGNATURE_STORED_PIXELS)
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    stored = out.getvalue()
    if len(stored) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(_("signature: the image is too large"), field="signature")
    return stored


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


def _walk_in(name: str | None, title) -> Person:
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


def _live_checkin_join(meeting_id, doctor_id_column):
    """The ON clause of a doctor's check-in that counts (not voided) at a meeting."""
    return and_(CheckIn.meeting_id == meeting_id, CheckIn.doctor_id == doctor_id_column,
                CheckIn.voided_at.is_(None))


@cache
def _doctor_at_select():
    """Built once per process (on first use): building this four-table
    select on every sign-in cost a third of running it."""
    meeting_id = bindparam("meeting_id")
    return (select(Doctor, Hospital.province_id, Invitee, CheckIn)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .outerjoin(Invitee, and_(Invitee.meeting_id == meeting_id, Invitee.doctor_id == Doctor.id))
            .outerjoin(CheckIn, _live_checkin_join(meeting_id, Doctor.id))
            .where(Doctor.id == bindparam("doctor_id")))


def _doctor_at(meeting: Meeting, doctor_id: int) -> tuple[Person, Invitee | None, CheckIn | None]:
    """The doctor (of the meeting's province), their place on the list and
    their check-in so far, in one statement."""
    row = db.session.execute(_doctor_at_select(), {"meeting_id": meeting.id, "doctor_id": doctor_id}).first()
    if row is None or row[1] != meeting.province_id:
        raise InvalidInput(_("doctor_id: no such doctor (%(id)s)", id=doctor_id), field="doctor_id")
    doctor, _province, invitee, checkin = row
    return Person(doctor, doctor.name, doctor.title), invitee, checkin


# ---------------------------------------------------------------- writing

def _first(meeting_id: int, doctor_id: int | None, nonce: str | None) -> CheckIn | None:
    """The row a unique key says was there first: the same nonce (a retried
    request), else the doctor's check-in that counts."""
    keys = []
    if nonce is not None:
        keys.append(CheckIn.nonce == nonce)
    if doctor_id is not None:
        keys.append(and_(CheckIn.doctor_id == doctor_id, CheckIn.voided_at.is_(None)))
    if not keys:
        return None
    return db.session.scalars(
        select(CheckIn).where(CheckIn.meeting_id == meeting_id, or_(*keys))
        .order_by(case((CheckIn.nonce == nonce, 0), else_=1) if nonce is not None else CheckIn.id)
        .limit(1)).first()


@cache
def _insert_select(_dialect: str):
    """The check-in's INSERT, built once per process and backend; the values
    come as parameters."""
    return dialect_insert(CheckIn).on_conflict_do_nothing().returning(CheckIn)


def _insert_once(values: dict) -> tuple[CheckIn, bool]:
    """INSERT … ON CONFLICT DO NOTHING on the check-in's unique keys — (meeting,
    doctor) while it counts, (meeting, nonce) — and when a key refuses, the row
    that got there first. No SELECT before: the key is the guarantee and the
    usual case (a new sign-in) costs one statement. A first row voided between
    the two statements frees the key: the insert is tried once more."""
    for _attempt in range(2):
        new = db.session.scalars(_insert_select(db.session.get_bind().dialect.name), values).first()
        if new is not None:
            return new, True
        first = _first(values["meeting_id"], values["doctor_id"], values["nonce"])
        if first is not None:
            return first, False
    raise Conflict(_("the check-in changed while it was being recorded; please try again"))


def _record_checkin(meeting: Meeting, person: Person, invitee: Invitee | None, *, source: Source, nonce,
                    checked_in_at, meal_opt_in: bool, signature: bytes | None,
                    actor: User | None) -> tuple[CheckIn, bool]:
    checkin, created = _insert_once(dict(
        meeting_id=meeting.id, doctor_id=person.doctor.id if person.doctor else None,
        invitee_id=invitee.id if invitee else None, name=person.name, title=person.title,
        source=source, nonce=nonce, checked_in_at=checked_in_at, recorded_at=utcnow(),
        meal_opt_in=bool(meal_opt_in), signature=signature, created_by_id=actor.id if actor else None))
    if not created:
        return checkin, False
    # a walk-in's name stays on the check-in (erasable), never in the log
    log_action(actor, "check_in", "checkin", checkin.id,
               after={"meeting_id": meeting.id, "doctor_id": checkin.doctor_id,
                      "invitee_id": checkin.invitee_id, "source": source,
                      "meal_opt_in": checkin.meal_opt_in, "signed": signature is not None})
    if invitee is not None:
        invitee.status = InviteeStatus.attended
        db.session.flush()
    checkin_recorded.send(meeting, checkin=checkin)  # held already: follow-ups add this person
    return checkin, True


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
    if doctor_id is not None:
        person, invitee, earlier = _doctor_at(meeting, doctor_id)
    else:
        person, invitee, earlier = _walk_in(name, title), None, None
    when = _sign_in_time(meeting, source, checked_in_at)
    signature = decode_signature(signature)
    if earlier is not None and (nonce is None or earlier.nonce == nonce):
        return earlier, False  # signed in already: the first record (found with the doctor)
    return _record_checkin(meeting, person, invitee, source=source, nonce=nonce, checked_in_at=when,
                           meal_opt_in=meal_opt_in, signature=signature, actor=actor)


# ---------------------------------------------------------------- the QR page

class SignInNotOpen(DomainError):
    """A right token before the page opens: says when it does (SPEC §5)."""
    http_status, reason = 403, "not_open_yet"


class SignInClosed(DomainError):
    http_status, reason = 410, "closed"


class WalkInsFull(Conflict):
    reason = "walk_ins_full"


WAITING = {Status.draft, Status.submitted, Status.pending_regional}


def _started_at(meeting: Meeting) -> datetime | None:
    for transition in reversed(meeting.history):
        if transition.to_status == Status.in_progress:
            return transition.at
    return None


def self_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """SPEC §5: open from 60 min before the start — or from the moment staff
    start the meeting, if earlier — to 120 min after the start."""
    opens = meeting.starts_at - SELF_OPENS_BEFORE
    started = _started_at(meeting) if meeting.status == Status.in_progress else None
    if started is not None and started < opens:
        opens = started
    return opens, meeting.starts_at + SELF_CLOSES_AFTER


def _by_token(token: str, doctor_id: int | None = None, *, lock: bool = False,
              now: datetime | None = None, options: tuple = ()) -> tuple[Meeting, Invitee | None, Doctor | None, CheckIn | None]:
    """The meeting behind a self sign-in token while its page is open and, for
    a doctor picking their name, their place on the list, the doctor and their
    check-in so far: one statement, once per request. `lock` takes the
    meeting's row lock too (a walk-in counts the walk-ins under it).

    A wrong token is a 404 that tells nothing about any meeting; the right
    token outside the window says when sign-in opens (403) or that it closed (410)."""
    token = token or ""
    row = None
    if 16 <= len(token) <= 64:
        query = select(Meeting)
        if doctor_id is not None:
            query = (select(Meeting, Invitee, Doctor, CheckIn)
                     .outerjoin(Invitee, and_(Invitee.meeting_id == Meeting.id, Invitee.doctor_id == doctor_id))
                     .outerjoin(Doctor, Doctor.id == Invitee.doctor_id)
                     .outerjoin(CheckIn, _live_checkin_join(Meeting.id, Invitee.doctor_id)))
        query = query.where(Meeting.checkin_token == token).options(*options)
        if lock:
            query = query.with_for_update(of=Meeting)
        row = db.session.execute(query).first()
    meeting = row[0] if row is not None else None
    # compare_digest even after the lookup, so a hit and a miss cost the same here
    expected = meeting.checkin_token if meeting is not None else "x" * len(token)
    if not secrets.compare_digest(expected.encode(), token.encode()) or meeting is None:
        raise NotFound(_("this sign-in page is not open"))
    now = now or utcnow()
    if meeting.status in WAITING or (meeting.status in OPEN_FOR[Source.self]
                                     and now < meeting.starts_at - SELF_OPENS_BEFORE):
        opens = self_window(meeting)[0]  # asks for the history (started early?) only here
        if meeting.status in WAITING or now < opens:
            raise SignInNotOpen(_("Sign-in opens at %(time)s.",
                                  time=to_local(opens).strftime("%Y-%m-%d %H:%M")),
                                opens_at=opens.isoformat())
    if meeting.status not in OPEN_FOR[Source.self] or now > meeting.starts_at + SELF_CLOSES_AFTER:
        raise SignInClosed(_("Sign-in for this meeting has closed."))
    found = tuple(row[1:]) if doctor_id is not None else (None, None, None)
    return (meeting, *found)


def meeting_for_token(token: str, now: datetime | None = None) -> Meeting:
    """The meeting behind a self sign-in token while its page is open (see
    _by_token), with the hospital and department the page names."""
    return _by_token(token, now=now, options=(joinedload(Meeting.hospital, innerjoin=True),
                                              joinedload(Meeting.department, innerjoin=True)))[0]


def note_self_attempt(address: str | None) -> None:
    """Counts one QR-page sign-in from `address` and refuses (429) past the
    limit. Generous: a ward's doctors share one hospital Wi-Fi address and
    sign in within minutes; a script signing in hundreds is stopped. The
    caller commits the count before anything else can roll it back."""
    config = current_app.config
    throttle.take(f"self:{address or '-'}", config["SELF_CHECKIN_PER_ADDRESS"],
                  config["SELF_CHECKIN_WINDOW"],
                  _("Too many sign-ins from this network; please wait a few minutes or ask the staff."),
                  audit=("self_checkin", "address"))


def walk_in_cap(meeting: Meeting) -> int:
    """SPEC §5: self-registered walk-ins per meeting, at most the expected
    headcount and never fewer than WALK_IN_CAP_MIN (default 10)."""
    return max(meeting.expected_attendees or 0, current_app.config["WALK_IN_CAP_MIN"])


def _walk_ins(meeting: Meeting) -> int:
    """Self-registered walk-ins so far. Counted under the meeting's row lock
    (PostgreSQL; SQLite writes one at a time anyway), which _by_token took, so
    count-then-insert holds against a burst of parallel walk-ins."""
    return db.session.scalar(select(func.count()).select_from(CheckIn).where(
        CheckIn.meeting_id == meeting.id, CheckIn.source == Source.self,
        CheckIn.invitee_id.is_(None), CheckIn.voided_at.is_(None)))


def _already_signed_in() -> InvalidInput:
    # only a retry of the same form returns the first record: nobody re-signs for another
    return InvalidInput(_("doctor_id: this name has already signed in"), field="doctor_id")


def self_check_in(token: str, doctor_id: int | None = None, name: str | None = None, title=None,
                  nonce: str | None = None, meal_opt_in: bool = False,
                  signature=None) -> tuple[CheckIn, bool]:
    """A doctor signs in on their own phone: picks their name from the invitee
    list, or types name and title as a walk-in. The meeting, the invitee and
    any check-in of theirs come in one statement; a new sign-in is one insert
    on the unique keys."""
    # Before the first statement, which takes SQLite's write lock: decoding
    # and re-encoding the signature is the costliest part of a sign-in (a few
    # ms of Pillow), and a room signing in at once would wait for it in turn.
    signature = decode_signature(signature)
    if doctor_id is not None:
        meeting, invitee, doctor, earlier = _by_token(token, doctor_id)
        nonce = _check_nonce(nonce)
        if invitee is None or invitee.status == InviteeStatus.declined:
            raise InvalidInput(_("doctor_id: pick a name from the list, or type your name"), field="doctor_id")
        if earlier is not None:
            if nonce is not None and earlier.nonce == nonce:
                return earlier, False  # the same form again (a double tap, a resubmit)
            raise _already_signed_in()
        person = Person(doctor, doctor.name, doctor.title)
    else:
        meeting, invitee = _by_token(token, lock=True)[0], None
        nonce = _check_nonce(nonce)
        person = _walk_in(name, title)
        if _walk_ins(meeting) >= walk_in_cap(meeting):
            retried = _first(meeting.id, None, nonce) if nonce is not None else None
            if retried is None:
                raise WalkInsFull(_("The list of walk-ins is full; please ask the staff to sign you in."))
            return retried, False  # a walk-in's retried form, the list filled meanwhile
    checkin, created = _record_checkin(meeting, person, invitee, source=Source.self, nonce=nonce,
                                       checked_in_at=utcnow(), meal_opt_in=meal_opt_in,
                                       signature=signature, actor=None)
    if not created and person.doctor is not None and (nonce is None or checkin.nonce != nonce):
        raise _already_signed_in()  # another form of theirs got there first
    return checkin, created


def self_checkin_choices(meeting: Meeting) -> list[Invitee]:
    """The names a doctor picks from on the QR page: everyone on the list who
    has neither declined nor signed in yet, in name order."""
    signed_in = select(CheckIn.doctor_id).where(CheckIn.meeting_id == meeting.id,
                                                CheckIn.voided_at.is_(None),
                                                CheckIn.doctor_id.is_not(None))
    invitees = db.session.scalars(
        select(Invitee).options(joinedload(Invitee.doctor, innerjoin=True))  # one query for every name
        .where(Invitee.meeting_id == meeting.id, Invitee.status != InviteeStatus.declined,
               Invitee.doctor_id.not_in(signed_in))).all()
    return sorted(invitees, key=lambda i: i.doctor.name)


# ---------------------------------------------------------------- void

def void_checkin(actor: User, meeting: Meeting, checkin_id: int, reason: str | None) -> CheckIn:
    """Staff undo a mistaken check-in (SPEC §5): it stays on record with who,
    when and why, leaves the figures and the sheet, and creates no follow-up
    (an open visit task it caused is withdrawn). Shown in the meeting's
    history. Voiding twice keeps the first."""
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff void a check-in"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("reason: say why the check-in is void"), field="reason")
    checkin = get_checkin(meeting, checkin_id)
    if checkin.voided:
        return checkin
    checkin.voided_at, checkin.voided_by_id, checkin.void_reason = utcnow(), actor.id, reason
    if checkin.invitee is not None and checkin.invitee.status == InviteeStatus.attended:
        checkin.invitee.status = InviteeStatus.confirmed
    db.session.flush()
    checkin_voided.send(meeting, checkin=checkin)  # follow-ups withdraw the visit it caused
    note_in_history(meeting, "void", actor, f"#{checkin.id}: {reason}")
    log_action(actor, "void", "checkin", checkin.id, before={"meeting_id": meeting.id, "voided": False},
               after={"meeting_id": meeting.id, "voided": True})
    return checkin


# ---------------------------------------------------------------- figures

def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def counted_checkins():
    """SQL: the check-ins that count in the figures: all but the voided ones."""
    return CheckIn.voided_at.is_(None)


def expected_counts(meeting_ids):
    """SQL, per meeting of `meeting_ids` (a list or a select of ids):
    meeting_id, expected, key_expected — the invitees SPEC §5 expects."""
    expected = expected_clause()
    return (select(Invitee.meeting_id,
                   func.sum(case((expected, 1), else_=0)).label("expected"),
                   func.sum(case((and_(expected, key_clause()), 1), else_=0)).label("key_expected"))
            .join(Doctor, Doctor.id == Invitee.doctor_id)
            .where(Invitee.meeting_id.in_(meeting_ids)).group_by(Invitee.meeting_id))


def present_counts(meeting_ids):
    """SQL, per meeting of `meeting_ids`: meeting_id, present,
    attended_invited, key_present over the check-ins that count. A backup
    who came without being promoted is an invited attendee (and, if A/B, a
    key one); nurses and interns are never key."""
    return (select(CheckIn.meeting_id, func.count(CheckIn.id).label("present"),
                   func.count(Invitee.id).label("attended_invited"),
                   func.sum(case((and_(Invitee.id.is_not(None), key_clause()), 1), else_=0))
                   .label("key_present"))
            .outerjoin(Invitee, and_(Invitee.meeting_id == CheckIn.meeting_id,
                                     Invitee.doctor_id == CheckIn.doctor_id, *_narrowed(meeting_ids)))
            .outerjoin(Doctor, Doctor.id == Invitee.doctor_id)
            .where(CheckIn.meeting_id.in_(meeting_ids), counted_checkins())
            .group_by(CheckIn.meeting_id))


def _narrowed(meeting_ids) -> list:
    """For a list of ids, the joined invitees narrowed to those meetings too:
    else PostgreSQL hashes every invitee in the country for a batch (a
    parallel scan of all of them, 190 ms at 20,000 meetings instead of 5).
    A select of ids is not repeated there: it is joined row by row through
    the unique key already, and the condition would rescan it per check-in."""
    return [Invitee.meeting_id.in_(meeting_ids)] if isinstance(meeting_ids, (list, tuple)) else []


def attendance_counts(meeting_ids) -> dict[int, dict]:
    """The counts behind SPEC §5's figures for many meetings, in two aggregate
    queries: meeting_id → expected, present, attended_invited, key_expected,
    key_present."""
    ids = list(meeting_ids)
    counts = {m: dict(expected=0, present=0, attended_invited=0, key_expected=0, key_present=0)
              for m in ids}
    if not ids:
        return counts
    for meeting_id, n, key in db.session.execute(expected_counts(ids)):
        counts[meeting_id].update(expected=int(n or 0), key_expected=int(key or 0))
    for meeting_id, present, invited, key in db.session.execute(present_counts(ids)):
        counts[meeting_id].update(present=int(present), attended_invited=int(invited),
                                  key_present=int(key or 0))
    return counts


def figures(counts: dict) -> dict:
    """SPEC §5: the rates over the counts; a rate over an empty denominator is null."""
    return {
        **counts,
        "attendance_rate": _rate(counts["present"], counts["expected"]),
        "accuracy_rate": _rate(counts["attended_invited"], counts["present"]),
        "invited_attendance_rate": _rate(counts["attended_invited"], counts["expected"]),
        "key_attendance_rate": _rate(counts["key_present"], counts["key_expected"]),
    }


def attendance(meeting: Meeting) -> dict:
    """The figures of SPEC §5 for one meeting."""
    return figures(attendance_counts([meeting.id])[meeting.id])


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
            .join(CheckIn, and_(CheckIn.doctor_id == Invitee.doctor_id, counted_checkins(),
                                CheckIn.meeting_id != windows.c.meeting_id,
                                CheckIn.voided_at.is_(None),
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
