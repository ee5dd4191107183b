"""Spend per doctor (SPEC §3, §9, §12): what each doctor is counted for a
meeting — their share — defined once, here, and read by the annual cap (at
invite, submit and summary), the doctor's spend (GET /doctors/{id}/spend),
the personal-data export, reports and the audit pack. Nothing is stored: the
shares are read from the meeting's budget, its invitees, its check-ins and
its summary every time, so no copy can drift.

- Before the meeting is summarised the share is an **estimate**: the budget
  total less `speaker_fee`, ÷ `expected_attendees`, to each primary invitee
  who has not declined.
- Once summarised it is **actual**: meals ÷ the doctors who ate (counted
  check-ins of a doctor with `meal_opt_in`), to each of them; gifts,
  materials, venue and other ÷ the doctors present (counted check-ins of a
  doctor), to each of them; an absent invitee 0. `speaker_fee` is nobody's.
- Cancelled and rejected meetings count nothing.

One SQL statement gathers, per doctor and meeting, the amounts and the
headcounts; one function (`_divide`) turns such a row into a share, so the
statement and the checks on a summary not yet saved divide alike.

The lower layers that apply the annual cap (the invitee list, submit) have
it handed in by connect(); they never import this."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, literal, or_, select, union_all

from ..checkin.models import CheckIn
from ..doctors.models import Doctor
from ..errors import ComplianceCapExceeded, InvalidInput
from ..extensions import db
from ..invitees import services as invitees
from ..invitees.models import Invitee, InviteeRole, InviteeStatus
from ..proposals.models import BudgetCategory, BudgetLine, Meeting, Status
from ..proposals.services import check_on_submit
from ..types import CENT, local_date, local_zone
from .models import SpendLine, Summary

# Meetings that no longer spend anything count for nobody.
NOT_SPENDING = (Status.cancelled, Status.rejected)
# From the summary on, the shares are what was spent on who came and ate.
SUMMARISED = (Status.summarized, Status.closed)
# Shared by everyone present; meals only by those who ate; speaker_fee by nobody.
SHARED_BY_PRESENT = (BudgetCategory.gifts, BudgetCategory.materials, BudgetCategory.venue,
                     BudgetCategory.other)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Share:
    doctor_id: int
    meeting_id: int
    starts_at: datetime
    basis: str  # "estimate" | "actual"
    share: Decimal


# ---------------------------------------------------------------- the one division

def _divide(basis: str, shared: Decimal, present: int, meals: Decimal, diners: int,
            ate: bool) -> Decimal:
    """One doctor's share of one meeting, in cents. For an estimate `shared`
    is the budget less the speaker's fee and `present` the expected attendees."""
    amount = Decimal(0)
    if present:
        amount += Decimal(shared) / present
    if basis == "actual" and ate and diners:
        amount += Decimal(meals) / diners
    return amount.quantize(CENT)


# ---------------------------------------------------------------- the statement

def _sum_spend(categories):
    return (select(func.coalesce(func.sum(SpendLine.amount), 0))
            .join(Summary, Summary.id == SpendLine.summary_id)
            .where(Summary.meeting_id == Meeting.id, SpendLine.category.in_(list(categories)))
            .correlate(Meeting).scalar_subquery())


def _count_present(*extra):
    return (select(func.count(CheckIn.id))
            .where(CheckIn.meeting_id == Meeting.id, *_counted(), *extra)
            .correlate(Meeting).scalar_subquery())


def _counted():
    """The check-ins that count for a share: a doctor's, not voided."""
    return CheckIn.voided_at.is_(None), CheckIn.doctor_id.is_not(None)


def _expected():
    return (Invitee.role == InviteeRole.primary) & (Invitee.status != InviteeStatus.declined)


def share_rows(*, doctor_ids=None, meeting_ids=None, start: datetime | None = None,
               end: datetime | None = None):
    """SQL: one row per (doctor, meeting) that has a share — doctor_id,
    meeting_id, starts_at, basis, shared, present, meals, diners, ate —
    narrowed to the doctors, meetings and [start, end) given, in meeting
    order. `_divide` turns a row into the share."""
    def narrow(query, doctor_col, meeting_col):
        if doctor_ids is not None:
            query = query.where(doctor_col.in_(doctor_ids))
        if meeting_ids is not None:
            query = query.where(meeting_col.in_(meeting_ids))
        if start is not None:
            query = query.where(Meeting.starts_at >= start)
        if end is not None:
            query = query.where(Meeting.starts_at < end)
        return query

    budget_less_fee = (select(func.coalesce(func.sum(BudgetLine.amount), 0))
                       .where(BudgetLine.meeting_id == Meeting.id,
                              BudgetLine.category != BudgetCategory.speaker_fee)
                       .correlate(Meeting).scalar_subquery())
    estimates = narrow(
        select(Invitee.doctor_id.label("doctor_id"), Meeting.id.label("meeting_id"),
               Meeting.starts_at.label("starts_at"), literal("estimate").label("basis"),
               budget_less_fee.label("shared"), Meeting.expected_attendees.label("present"),
               literal(0).label("meals"), literal(0).label("diners"), false().label("ate"))
        .join(Meeting, Meeting.id == Invitee.meeting_id)
        .where(_expected(), Meeting.status.not_in(NOT_SPENDING + SUMMARISED)),
        Invitee.doctor_id, Meeting.id)

    actual_columns = (Meeting.id.label("meeting_id"), Meeting.starts_at.label("starts_at"),
                      literal("actual").label("basis"),
                      _sum_spend(SHARED_BY_PRESENT).label("shared"), _count_present().label("present"),
                      _sum_spend([BudgetCategory.meals]).label("meals"),
                      _count_present(CheckIn.meal_opt_in.is_(True)).label("diners"))
    present = narrow(
        select(CheckIn.doctor_id.label("doctor_id"), *actual_columns,
               CheckIn.meal_opt_in.label("ate"))
        .join(Meeting, Meeting.id == CheckIn.meeting_id)
        .where(*_counted(), Meeting.status.in_(SUMMARISED)),
        CheckIn.doctor_id, Meeting.id)
    came = exists().where(CheckIn.meeting_id == Invitee.meeting_id,
                          CheckIn.doctor_id == Invitee.doctor_id, CheckIn.voided_at.is_(None))
    absent = narrow(  # invited, expected, not there: 0, listed so the doctor's page says so
        select(Invitee.doctor_id.label("doctor_id"), Meeting.id.label("meeting_id"),
               Meeting.starts_at.label("starts_at"), literal("actual").label("basis"),
               literal(0).label("shared"), literal(0).label("present"), literal(0).label("meals"),
               literal(0).label("diners"), false().label("ate"))
        .join(Meeting, Meeting.id == Invitee.meeting_id)
        .where(_expected(), ~came, Meeting.status.in_(SUMMARISED)),
        Invitee.doctor_id, Meeting.id)
    rows = union_all(estimates, present, absent).subquery("shares")
    return select(rows).order_by(rows.c.starts_at, rows.c.meeting_id, rows.c.doctor_id)


def shares(**narrowing) -> list[Share]:
    """The shares of share_rows(**narrowing), divided."""
    out = []
    for row in db.session.execute(share_rows(**narrowing)).mappings():
        basis = row["basis"]
        out.append(Share(row["doctor_id"], row["meeting_id"], row["starts_at"], basis,
                         _divide(basis, _money(row["shared"]), int(row["present"] or 0),
                                 _money(row["meals"]), int(row["diners"] or 0),
                                 bool(row["ate"]))))
    return out


def _money(value) -> Decimal:
    # SQLite sums NUMERIC as floats: back to cents before dividing
    return Decimal(str(value or 0)).quantize(CENT)


def meeting_shares(meeting_id: int) -> list[Share]:
    return shares(meeting_ids=[meeting_id])


# ---------------------------------------------------------------- years

def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The local calendar year as instants [start, end)."""
    zone = local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def year_shares(doctor_ids: Iterable[int], year: int, *,
                excluding: int | None = None) -> dict[int, list[Share]]:
    """doctor_id → the year's shares, in meeting order; one statement."""
    doctor_ids = list(doctor_ids)
    out: dict[int, list[Share]] = defaultdict(list)
    if not doctor_ids:
        return out
    start, end = year_bounds(year)
    for item in shares(doctor_ids=doctor_ids, start=start, end=end):
        if item.meeting_id != excluding:
            out[item.doctor_id].append(item)
    return out


def shares_by_year(doctor_id: int) -> dict[int, list[Share]]:
    """Every local calendar year of one doctor: year → shares; one statement."""
    out: dict[int, list[Share]] = defaultdict(list)
    for item in shares(doctor_ids=[doctor_id]):
        out[local_date(item.starts_at).year].append(item)
    return dict(sorted(out.items()))


def year_totals(doctor_ids: Iterable[int], year: int, *,
                excluding: int | None = None) -> dict[int, Decimal]:
    doctor_ids = list(doctor_ids)
    by_doctor = year_shares(doctor_ids, year, excluding=excluding)
    return {d: sum((s.share for s in by_doctor.get(d, [])), ZERO) for d in doctor_ids}


def doctor_year_total(doctor_id: int, year: int, *, excluding: int | None = None) -> Decimal:
    return year_totals([doctor_id], year, excluding=excluding)[doctor_id]


# ---------------------------------------------------------------- the caps

def estimated_share(meeting: Meeting) -> Decimal:
    """What each expected invitee of a meeting not yet summarised is counted."""
    return _divide("estimate", meeting.budget_total - meeting.spend_on(BudgetCategory.speaker_fee),
                   meeting.expected_attendees or 0, ZERO, 0, False)


def _over_cap(meeting: Meeting, doctor_id: int, name: str, elsewhere: Decimal, share: Decimal) -> None:
    cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    total = elsewhere + share
    if total > cap:
        year = local_date(meeting.starts_at).year
        raise ComplianceCapExceeded(
            _("%(name)s would reach %(total)s 元 in %(year)s, over the annual cap of "
              "%(cap)s 元", name=name, total=total, year=year, cap=cap),
            field="doctor_id", doctor_id=doctor_id, total=total, cap=cap)


def check_doctor_annual_cap(meeting: Meeting, doctor) -> None:
    """Inviting `doctor` as a primary keeps their year within the cap, this
    meeting counted at its estimate."""
    year = local_date(meeting.starts_at).year
    _over_cap(meeting, doctor.id, doctor.name,
              doctor_year_total(doctor.id, year, excluding=meeting.id), estimated_share(meeting))


def check_primaries_annual_cap(meeting: Meeting) -> None:
    """At submit: every expected invitee within the cap (one statement for
    their other meetings)."""
    primaries = [i for i in meeting.invitees
                 if i.role == InviteeRole.primary and i.status != InviteeStatus.declined]
    if not primaries:
        return
    totals = year_totals([i.doctor_id for i in primaries], local_date(meeting.starts_at).year,
                         excluding=meeting.id)
    share = estimated_share(meeting)
    for invitee in primaries:
        _over_cap(meeting, invitee.doctor_id, invitee.doctor.name, totals[invitee.doctor_id], share)


def _people(meeting: Meeting) -> dict[int, bool]:
    """doctor_id → ate, for the doctors counted present at the meeting."""
    return dict(db.session.execute(
        select(CheckIn.doctor_id, CheckIn.meal_opt_in)
        .where(CheckIn.meeting_id == meeting.id, *_counted())).all())


def actual_shares(meeting: Meeting, spend: dict[BudgetCategory, Decimal]) -> dict[int, Decimal]:
    """doctor_id → share, were the summary's actual spend `spend` (category →
    amount): what share_rows will say once it is saved."""
    people = _people(meeting)
    shared = sum((spend.get(c, ZERO) for c in SHARED_BY_PRESENT), ZERO)
    meals = spend.get(BudgetCategory.meals, ZERO)
    diners = sum(1 for ate in people.values() if ate)
    return {d: _divide("actual", shared, len(people), meals, diners, bool(ate))
            for d, ate in people.items()}


def check_summary_spend(meeting: Meeting, spend: dict[BudgetCategory, Decimal],
                        field: str = "actual_spend") -> None:
    """SPEC §12: meals ÷ the doctors who ate may equal the cap per head, not
    exceed it, and meals nobody ate are refused; then every doctor's year,
    this meeting counted at its actual share, stays within the annual cap."""
    meals = spend.get(BudgetCategory.meals, ZERO)
    people = _people(meeting)
    diners = sum(1 for ate in people.values() if ate)
    cap = current_app.config["MEAL_CAP_PER_HEAD"]
    if meals > 0 and diners == 0:
        raise InvalidInput(
            _("meals of %(meals)s 元 but no doctor signed in for the meal; "
              "at most %(cap)s 元 per doctor who ate", meals=meals, cap=cap),
            field=field, meals=meals, diners=0, cap=cap)
    if diners and meals > cap * diners:
        per_head = (meals / diners).quantize(CENT)
        raise ComplianceCapExceeded(
            _("meals of %(meals)s 元 for %(diners)s doctors who ate is %(per_head)s 元 "
              "a head, over the cap of %(cap)s 元", meals=meals, diners=diners, per_head=per_head,
              cap=cap), field=field, per_head=per_head, cap=cap)
    counted = {d: s for d, s in actual_shares(meeting, spend).items() if s > 0}
    if not counted:
        return
    totals = year_totals(counted, local_date(meeting.starts_at).year, excluding=meeting.id)
    names = _names(counted)
    for doctor_id, share in counted.items():
        _over_cap(meeting, doctor_id, names.get(doctor_id, str(doctor_id)), totals[doctor_id], share)


def _names(doctor_ids) -> dict[int, str]:
    return dict(db.session.execute(select(Doctor.id, Doctor.name).where(Doctor.id.in_(list(doctor_ids)))).all())


# ---------------------------------------------------------------- near the cap

def meals_per_diner_clause(fraction: Decimal):
    """SQL on Meeting: a summarised meeting whose meals per doctor who ate
    reach `fraction` of MEAL_CAP_PER_HEAD (the compliance view's filter)."""
    cap = current_app.config["MEAL_CAP_PER_HEAD"]
    meals = _sum_spend([BudgetCategory.meals])
    diners = _count_present(CheckIn.meal_opt_in.is_(True))
    return and_(Meeting.status.in_(SUMMARISED), meals > 0,
                or_(diners == 0, meals >= diners * (cap * fraction)))


def connect() -> None:
    """Hand the annual cap to the layers below that apply it: the invitee
    list (a primary invited), submit, and the picker's year totals (called by
    the app factory; idempotent)."""
    invitees.check_on_invite(check_doctor_annual_cap)
    invitees.count_year_totals_with(year_totals)
    check_on_submit("after_content", check_primaries_annual_cap)
