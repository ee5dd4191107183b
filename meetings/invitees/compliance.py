"""The per-doctor annual spend cap (SPEC §3): a doctor's share of a meeting is
its budget total ÷ expected attendees, summed over the calendar year."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ComplianceCapExceeded
from ..extensions import db
from ..types import local_date
from ..proposals.models import Meeting, Status
from .models import Invitee, InviteeRole, InviteeStatus

# Meetings that no longer spend anything do not count towards a doctor's year.
NOT_SPENDING = (Status.cancelled, Status.rejected)


def meeting_total(meeting: Meeting) -> Decimal:
    """What the meeting costs: the actual spend once its summary says so,
    the proposed budget before."""
    summary = meeting.summary  # Meeting.summary: the summaries' package sits above this one
    return summary.actual_total if summary is not None else meeting.budget_total


def share_of(meeting: Meeting, total: Decimal | None = None) -> Decimal:
    total = meeting_total(meeting) if total is None else total
    return (total / max(meeting.expected_attendees or 1, 1)).quantize(Decimal("0.01"))


def doctor_year_total(doctor_id: int, year: int, *, excluding: int | None = None) -> Decimal:
    meetings = db.session.scalars(
        select(Meeting).join(Invitee, Invitee.meeting_id == Meeting.id)
        .where(Invitee.doctor_id == doctor_id, Invitee.role == InviteeRole.primary,
               Invitee.status != InviteeStatus.declined, Meeting.status.not_in(NOT_SPENDING),
               Meeting.id != (excluding or 0))
    ).all()
    return sum((share_of(m) for m in meetings if local_date(m.starts_at).year == year),
               Decimal("0.00"))


def check_doctor_annual_cap(meeting: Meeting, doctor, meeting_cost: Decimal | None = None) -> None:
    """`meeting_cost`: the total to judge this meeting by (a summary's actual
    spend before it is saved); by default what the meeting costs now."""
    cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    year = local_date(meeting.starts_at).year
    total = doctor_year_total(doctor.id, year, excluding=meeting.id) + share_of(meeting, meeting_cost)
    if total > cap:
        raise ComplianceCapExceeded(
            _("doctor_id: %(name)s would reach %(total)s 元 in %(year)s, over the annual cap of "
              "%(cap)s 元", name=doctor.name, total=total, year=year, cap=cap),
            field="doctor_id", doctor_id=doctor.id, total=total, cap=cap)


def check_primaries_annual_cap(meeting: Meeting, meeting_cost: Decimal | None = None) -> None:
    """Every primary invitee who has not declined stays within the annual cap."""
    for invitee in meeting.invitees:
        if invitee.role == InviteeRole.primary and invitee.status != InviteeStatus.declined:
            check_doctor_annual_cap(meeting, invitee.doctor, meeting_cost)
