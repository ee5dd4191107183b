"""The figures of sign-in (SPEC §5): expected, present, the rates, for one
meeting or many in a few aggregate statements (reports, scorecards and
exports build on the SQL pieces), and the attendance frequency of SPEC §3."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from ..doctors.models import Doctor
from ..doctors.services import key_clause
from ..errors import Advice
from ..extensions import db
from ..invitees.models import Invitee
from ..invitees.services import expected_clause
from ..proposals.models import Meeting
from ..types import UTCDateTime
from .models import CheckIn


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def counted_checkins():
    """SQL: the check-ins that count in the figures: all but the voided ones."""
    return CheckIn.voided_at.is_(None)


def expected_counts(meeting_ids):
    """SQL, per meeting of `meeting_ids` (a list or a select of ids):
    meeting_id, expected, key_expected, key_present — the invitees SPEC §5
    expects, and the key seats filled (each seat once, so key_present ≤
    key_expected)."""
    expected = expected_clause()
    key_seat = and_(expected, key_clause())
    return (select(Invitee.meeting_id,
                   func.sum(case((expected, 1), else_=0)).label("expected"),
                   func.sum(case((key_seat, 1), else_=0)).label("key_expected"),
                   func.sum(case((and_(key_seat, key_seat_filled()), 1), else_=0)).label("key_present"))
            .join(Doctor, Doctor.id == Invitee.doctor_id)
            .where(Invitee.meeting_id.in_(meeting_ids)).group_by(Invitee.meeting_id))


def present_counts(meeting_ids):
    """SQL, per meeting of `meeting_ids`: meeting_id, present and
    attended_invited over the check-ins that count. A backup who came
    without being promoted is an invited attendee."""
    return (select(CheckIn.meeting_id, func.count(CheckIn.id).label("present"),
                   func.count(Invitee.id).label("attended_invited"))
            .outerjoin(Invitee, and_(Invitee.meeting_id == CheckIn.meeting_id,
                                     Invitee.doctor_id == CheckIn.doctor_id, *_narrowed(meeting_ids)))
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
    for meeting_id, n, key, key_present in db.session.execute(expected_counts(ids)):
        counts[meeting_id].update(expected=int(n or 0), key_expected=int(key or 0),
                                  key_present=int(key_present or 0))
    for meeting_id, present, invited in db.session.execute(present_counts(ids)):
        counts[meeting_id].update(present=int(present), attended_invited=int(invited))
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
    return [Advice("attendance_frequency", _("%(name)s attended %(n)s meetings in the last %(days)s days",
                                             name=i.doctor.name, n=counts[i.doctor_id], days=days))
            for i in meeting.invitees if counts.get(i.doctor_id, 0) >= limit]


def key_seat_filled(primary=Invitee):
    """SQL condition on an expected key invitee (SPEC §5 key seats): the seat
    is filled when the primary is present or, the primary absent, one of
    their backups is. EXISTS, so a seat counts once however many came."""
    backup = aliased(Invitee)
    came = aliased(CheckIn)
    came_backup = aliased(CheckIn)
    primary_came = (select(came.id).where(came.meeting_id == primary.meeting_id,
                                          came.doctor_id == primary.doctor_id, came.voided_at.is_(None))
                    .exists())
    backup_came = (select(came_backup.id).select_from(backup)
                   .join(came_backup, and_(came_backup.meeting_id == backup.meeting_id,
                                           came_backup.doctor_id == backup.doctor_id,
                                           came_backup.voided_at.is_(None)))
                   .where(backup.backup_for_id == primary.id, backup.meeting_id == primary.meeting_id)
                   .exists())
    return or_(primary_came, backup_came)
