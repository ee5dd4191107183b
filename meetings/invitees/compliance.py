"""The per-doctor annual spend cap (SPEC §3, §9): a doctor's share of a meeting
is its total ÷ expected attendees, summed over the calendar year (local).

One definition, in SQL: the meetings where the doctor is a primary invitee
who has not declined, except cancelled and rejected ones; a meeting's total
is its budget total, replaced by its actual total once summarised. The cap
check, the spend report (GET /doctors/{id}/spend) and the invitee picker all
read `year_shares`."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..errors import ComplianceCapExceeded
from ..extensions import db
from ..proposals.models import BudgetLine, Meeting, Status
from ..types import local_date, local_zone
from .models import Invitee, InviteeRole, InviteeStatus

# Meetings that no longer spend anything do not count towards a doctor's year.
NOT_SPENDING = (Status.cancelled, Status.rejected)
CENT = Decimal("0.01")


def meeting_total_column():
    """SQL: what a meeting costs — the summary's actual total once there is
    one (Meeting.actual_total), the budget total before."""
    budget = (select(func.coalesce(func.sum(BudgetLine.amount), 0))
              .where(BudgetLine.meeting_id == Meeting.id).scalar_subquery())
    return func.coalesce(Meeting.actual_total, budget)


def share(total, expected_attendees: int | None) -> Decimal:
    """One doctor's share of one meeting, in cents."""
    return (Decimal(total) / max(expected_attendees or 1, 1)).quantize(CENT)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The local calendar year as UTC instants [start, end)."""
    zone = local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _shares(doctor_ids: list[int]):
    """SQL: (doctor_id, meeting_id, starts_at, total, expected attendees) of
    every meeting that counts towards the doctors' spend, in meeting order."""
    return (select(Invitee.doctor_id, Meeting.id, Meeting.starts_at, meeting_total_column(),
                   Meeting.expected_attendees)
            .join(Meeting, Meeting.id == Invitee.meeting_id)
            .where(Invitee.doctor_id.in_(doctor_ids), Invitee.role == InviteeRole.primary,
                   Invitee.status != InviteeStatus.declined, Meeting.status.not_in(NOT_SPENDING))
            .order_by(Meeting.starts_at, Meeting.id))


def year_shares(doctor_ids: Iterable[int], year: int, *,
                excluding: int | None = None) -> dict[int, list[tuple[int, Decimal]]]:
    """doctor_id → [(meeting_id, share)] for the year, in meeting order; one query."""
    doctor_ids = list(doctor_ids)
    out: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    if not doctor_ids:
        return out
    start, end = year_bounds(year)
    rows = db.session.execute(_shares(doctor_ids).where(
        Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.id != (excluding or 0)))
    for doctor_id, meeting_id, _starts_at, total, expected in rows:
        out[doctor_id].append((meeting_id, share(total, expected)))
    return out


def shares_by_year(doctor_id: int) -> dict[int, list[tuple[int, Decimal]]]:
    """Every (local calendar) year of one doctor: year → [(meeting_id, share)]
    in meeting order, as year_shares counts each year; one query."""
    out: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for _doctor_id, meeting_id, starts_at, total, expected in db.session.execute(_shares([doctor_id])):
        out[local_date(starts_at).year].append((meeting_id, share(total, expected)))
    return dict(sorted(out.items()))


def year_totals(doctor_ids: Iterable[int], year: int, *,
                excluding: int | None = None) -> dict[int, Decimal]:
    shares = year_shares(doctor_ids, year, excluding=excluding)
    return {d: sum((s for _m, s in shares.get(d, [])), Decimal("0.00")) for d in doctor_ids}


def doctor_year_total(doctor_id: int, year: int, *, excluding: int | None = None) -> Decimal:
    return year_totals([doctor_id], year, excluding=excluding)[doctor_id]


def _meeting_total(meeting: Meeting) -> Decimal:
    if meeting.actual_total is not None:
        return meeting.actual_total
    return meeting.budget_total


def _check(meeting: Meeting, doctor, elsewhere: Decimal, meeting_cost: Decimal | None) -> None:
    cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    year = local_date(meeting.starts_at).year
    cost = _meeting_total(meeting) if meeting_cost is None else meeting_cost
    total = elsewhere + share(cost, meeting.expected_attendees)
    if total > cap:
        raise ComplianceCapExceeded(
            _("%(name)s would reach %(total)s 元 in %(year)s, over the annual cap of "
              "%(cap)s 元", name=doctor.name, total=total, year=year, cap=cap),
            field="doctor_id", doctor_id=doctor.id, total=total, cap=cap)


def check_doctor_annual_cap(meeting: Meeting, doctor, meeting_cost: Decimal | None = None) -> None:
    """`meeting_cost`: the total to judge this meeting by (a summary's actual
    spend before it is saved); by default what the meeting costs now."""
    year = local_date(meeting.starts_at).year
    _check(meeting, doctor, doctor_year_total(doctor.id, year, excluding=meeting.id), meeting_cost)


def check_primaries_annual_cap(meeting: Meeting, meeting_cost: Decimal | None = None) -> None:
    """Every primary invitee who has not declined stays within the annual cap
    (their other meetings read in one query)."""
    primaries = [i for i in meeting.invitees
                 if i.role == InviteeRole.primary and i.status != InviteeStatus.declined]
    if not primaries:
        return
    totals = year_totals([i.doctor_id for i in primaries], local_date(meeting.starts_at).year,
                         excluding=meeting.id)
    for invitee in primaries:
        _check(meeting, invitee.doctor, totals[invitee.doctor_id], meeting_cost)
