"""Sign-in (SPEC §5): the rules of staff, self (QR) and paper check-ins, the
QR page's window, voiding, and the sign-in sheet's rows. The figures and the
attendance frequency are in checkin/figures.py, the signature image in
checkin/signature.py (both importable from here too, as callers always did).

Exactly once is the database's job: CheckIn has unique keys on
(meeting, doctor) and (meeting, nonce). A check-in is inserted with
INSERT … ON CONFLICT DO NOTHING; when a key refuses it, the row that got
there first is returned.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..auth.models import User
from ..doctors.models import Department, Doctor, Hospital, Title
from ..doctors.services import is_key
from .. import throttle
from ..errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from ..throttle import Throttled  # noqa: F401  (the QR page catches it from here)
from ..errors import Problems
from ..labels import label
from ..database import dialect_insert
from ..extensions import db
from ..actionlog import log_action
from ..invitees.models import Invitee, InviteeStatus
from ..invitees.services import is_expected, on_standby
from ..proposals.models import GOING_AHEAD, Meeting, Status
from ..proposals.services import get_meeting, note_in_history, runs_meeting
from ..signals import checkin_recorded, checkin_voided
from ..types import as_aware, to_local, utcnow
from .models import CheckIn, Source
from .figures import (attendance, attendance_counts, counted_checkins, expected_counts,  # noqa: F401
                      figures, frequency_warnings, is_frequent, present_counts, recent_attendance,
                      recent_attendance_of, key_seat_filled)
from .signature import decode_signature, reencode_signature  # noqa: F401
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


# ---------------------------------------------------------------- reading

def desk_open(user: User, meeting: Meeting) -> bool:
    """Whether `user` may open the meeting's sign-in desk now (the staff page)."""
    return meeting.status in OPEN_FOR[Source.staff] and runs_meeting(user, meeting)


def sheet_for(user: User, meeting: Meeting) -> bool:
    """Whether to offer `user` the printed sign-in sheet: those who run a
    meeting that goes ahead (approved, on the day or after)."""
    return meeting.status in GOING_AHEAD and runs_meeting(user, meeting)


def meeting_to_run(actor: User, meeting_id: int) -> Meeting:
    """The meeting whose sign-in desk `actor` opens (the staff page and its
    state): those who run the meeting only. Writes check in their service."""
    meeting = get_meeting(actor, meeting_id)
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff run the meeting"))
    return meeting


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

def _check_nonce(nonce: str | None) -> str | None:
    if nonce is None or nonce == "":
        return None
    if not (8 <= len(nonce) <= 64) or not set(nonce) <= NONCE_ALPHABET:
        raise InvalidInput(_("8 to 64 letters, digits, hyphens or underscores"), field="nonce")
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
            raise InvalidInput(_("a paper entry needs the time written on the sheet"),
                               field="checked_in_at")
        return now
    checked_in_at = as_aware(checked_in_at)
    if checked_in_at > now + CLOCK_SKEW:
        if source == Source.paper:
            raise InvalidInput(_("the time is in the future"), field="checked_in_at")
        return now  # a device clock running fast: the server's time is the better guess
    if checked_in_at < meeting.starts_at - EARLIEST_BEFORE_START:
        raise InvalidInput(_("the time is long before the meeting"), field="checked_in_at")
    return checked_in_at


@dataclass
class Person:
    doctor: Doctor | None
    name: str
    title: Title


def _walk_in(name: str | None, title) -> Person:
    name = (name or "").strip()
    problems = Problems()
    if not name:
        problems.add("name", _("choose a doctor, or give the walk-in's name and title"))
    elif len(name) > 80:
        problems.add("name", _("at most 80 characters"))
    if title is None or title == "":
        problems.add("title", _("a walk-in needs a title"))
    else:
        try:
            title = Title(title)
        except ValueError:
            problems.add("title", _("choose one of the offered titles"))
    problems.raise_any()
    return Person(None, name, title)


def _live_checkin_join(meeting_id, doctor_id_column):
    """The ON clause of a doctor's check-in that counts (not voided) at a meeting."""
    return and_(CheckIn.meeting_id == meeting_id, CheckIn.doctor_id == doctor_id_column,
                CheckIn.voided_at.is_(None))


def _doctor_at(meeting: Meeting, doctor_id: int) -> tuple[Person, Invitee | None, CheckIn | None]:
    """The doctor (of the meeting's province), their place on the list and
    their check-in so far, in one statement."""
    row = db.session.execute(
        select(Doctor, Hospital.province_id, Invitee, CheckIn)
        .join(Department, Department.id == Doctor.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .outerjoin(Invitee, and_(Invitee.meeting_id == meeting.id, Invitee.doctor_id == Doctor.id))
        .outerjoin(CheckIn, _live_checkin_join(meeting.id, Doctor.id))
        .where(Doctor.id == doctor_id)).first()
    if row is None or row[1] != meeting.province_id:
        raise InvalidInput(_("no such doctor (%(id)s)", id=doctor_id), field="doctor_id")
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


def _insert_once(values: dict) -> tuple[CheckIn, bool]:
    """INSERT … ON CONFLICT DO NOTHING on the check-in's unique keys — (meeting,
    doctor) while it counts, (meeting, nonce) — and when a key refuses, the row
    that got there first. No SELECT before: the key is the guarantee and the
    usual case (a new sign-in) costs one statement. A first row voided between
    the two statements frees the key: the insert is tried once more."""
    for _attempt in range(2):
        new = db.session.scalars(dialect_insert(CheckIn).on_conflict_do_nothing().returning(CheckIn),
                                 values).first()
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


class DuplicateWalkIn(Conflict):
    """SPEC §5: a walk-in with the same name and title as someone already
    counted, without `same_name_ok`."""
    reason = "duplicate_walk_in"

    def __init__(self, message: str, checkin_id: int | None = None):
        super().__init__(message, field="name", checkin_id=checkin_id)
        self.checkin_id = checkin_id


class FiguresLocked(Conflict):
    """SPEC §5: once the summary is submitted its figures are the record."""
    reason = "figures_locked"


# SPEC §5: the summary is submitted (held → summarized is the first summary)
FIGURES_LOCKED = {Status.summarized, Status.closed}


def check_figures_open(meeting: Meeting) -> None:
    """Refuses (409 figures_locked) to add or void a check-in once the
    meeting's summary is submitted: the summary's figures are the record."""
    if meeting.status in FIGURES_LOCKED:
        raise FiguresLocked(_("The meeting's summary has been submitted: its attendance is the "
                              "record, so sign-ins can no longer be added or withdrawn."))


def _same_name(meeting: Meeting, person: Person, *, lock: bool) -> CheckIn | None:
    """The first check-in that counts with the walk-in's name and title (SPEC
    §5). With `lock` the meeting's row is locked in the same statement, so two
    identical walk-ins sent at once cannot both pass (PostgreSQL; SQLite
    writes one at a time anyway)."""
    same = (select(CheckIn.id).where(CheckIn.meeting_id == meeting.id, counted_checkins(),
                                     CheckIn.name == person.name, CheckIn.title == person.title)
            .order_by(CheckIn.id).limit(1).scalar_subquery())
    query = select(Meeting.id, same).where(Meeting.id == meeting.id)
    if lock:
        query = query.with_for_update(of=Meeting)
    row = db.session.execute(query).first()
    return db.session.get(CheckIn, row[1]) if row is not None and row[1] is not None else None


def _duplicate_walk_in(same: CheckIn) -> DuplicateWalkIn:
    return DuplicateWalkIn(_("%(name)s (%(title)s) has already signed in for this meeting. If this is "
                             "another person with the same name, confirm to sign them in too.",
                             name=same.name, title=label(same.title)), checkin_id=same.id)


def check_in(actor: User, meeting: Meeting, doctor_id: int | None = None, name: str | None = None,
             title=None, source="staff", nonce: str | None = None,
             checked_in_at: datetime | None = None, meal_opt_in: bool = False,
             signature=None, same_name_ok: bool = False) -> tuple[CheckIn, bool]:
    """Sign one person in for those who run the meeting. Returns the check-in
    and whether it is new; a repeat (same doctor, or same nonce) returns the
    first record unchanged. A walk-in with the name and title of someone
    already counted is refused unless `same_name_ok` (SPEC §5)."""
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff sign people in"))
    check_figures_open(meeting)
    try:
        source = Source(source)
    except ValueError:
        raise InvalidInput(_("choose “%(staff)s” or “%(paper)s”", staff=label(Source.staff),
                                             paper=label(Source.paper)), field="source") from None
    if source == Source.self:
        raise InvalidInput(_("self sign-in happens on the QR page"), field="source")
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
    if person.doctor is None and not same_name_ok and (same := _same_name(meeting, person, lock=True)):
        if nonce is not None and same.nonce == nonce:
            return same, False  # the same walk-in's form again
        raise _duplicate_walk_in(same)
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


def sign_in_opens_at(meeting: Meeting, now: datetime | None = None) -> datetime | None:
    """When sign-in opens for an approved meeting whose window (SPEC §5: 60
    min before the start, or when it is started) has not opened yet; None
    when it is open, or when the meeting is not one that will open. Pages
    show their sign-in buttons disabled with this time."""
    if meeting.status != Status.approved:
        return None
    opens = self_window(meeting)[0]
    return opens if (now or utcnow()) < opens else None


def _by_token(token: str, doctor_id: int | None = None, *, lock: bool = False,
              now: datetime | None = None,
              options: tuple = ()) -> tuple[Meeting, Invitee | None, Doctor | None, CheckIn | None]:
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


def _walk_ins(meeting: Meeting, person: Person) -> tuple[int, int | None]:
    """Self-registered walk-ins so far, and the first check-in that counts
    with this walk-in's name and title (SPEC §5), in one statement. Counted
    under the meeting's row lock (PostgreSQL; SQLite writes one at a time
    anyway), which _by_token took, so count-then-insert holds against a burst
    of parallel walk-ins."""
    walk_in = and_(CheckIn.source == Source.self, CheckIn.invitee_id.is_(None))
    same = and_(CheckIn.name == person.name, CheckIn.title == person.title)
    count, same_id = db.session.execute(
        select(func.count(case((walk_in, 1))), func.min(case((same, CheckIn.id))))
        .where(CheckIn.meeting_id == meeting.id, CheckIn.voided_at.is_(None))).one()
    return int(count or 0), same_id


def _already_signed_in() -> InvalidInput:
    # only a retry of the same form returns the first record: nobody re-signs for another
    return InvalidInput(_("this name has already signed in"), field="doctor_id")


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
            raise InvalidInput(_("pick a name from the list, or type your name"), field="doctor_id")
        if earlier is not None:
            if nonce is not None and earlier.nonce == nonce:
                return earlier, False  # the same form again (a double tap, a resubmit)
            raise _already_signed_in()
        person = Person(doctor, doctor.name, doctor.title)
    else:
        meeting, invitee = _by_token(token, lock=True)[0], None
        nonce = _check_nonce(nonce)
        person = _walk_in(name, title)
        walk_ins, same_id = _walk_ins(meeting, person)
        if same_id is not None:
            same = db.session.get(CheckIn, same_id)
            if nonce is not None and same.nonce == nonce:
                return same, False  # the same form again (a double tap, a resubmit)
            # SPEC §5: the QR page tells the doctor they are signed in already
            raise DuplicateWalkIn(_("You are already signed in for this meeting. If you are another "
                                    "doctor with the same name, please ask the staff to sign you in."),
                                  checkin_id=same.id)
        if walk_ins >= walk_in_cap(meeting):
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
    check_figures_open(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("say why the check-in is void"), field="reason")
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
