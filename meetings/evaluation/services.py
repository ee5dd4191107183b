"""The meeting scorecard (SPEC §9), computed in SQL: a fixed number of
aggregate queries per batch of meetings (never a walk over objects), so one
meeting's page and a report over a thousand meetings read the same code.

Parts, each with a score in [0, 1] or None while it cannot be computed:
- hardware: share of the materials checklist ticked when the meeting started;
- execution: mean of the non-null attendance_rate (capped at 1), accuracy_rate,
  key_attendance_rate and agenda kept (1 within the planned total, else
  planned ÷ actual; None when no timed segment has actual times);
- followup: visit and gift tasks done on or before their due date ÷ all of
  them; None until every task is done or the last due date has passed;
- effect: the attending invited doctors' boxes summed per month, averaged over
  the months with data among the 3 after the meeting's (local) month, against
  the same over the 3 before; change = after ÷ before − 1; 1 at +20 % or more,
  0 at 0 % or less, linear between; None without data on both sides or with
  nothing before.
points = weight × score; total = Σ points of computed parts; max = Σ their
weights; percent = total ÷ max × 100 (None when nothing is computed).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, and_, case, func, literal, or_, select, union_all

from ..agenda.models import AgendaSegment
from ..auth.models import User
from ..checkin.models import CheckIn
from ..checkin.services import attendance_counts, counted_checkins
from ..doctors.models import Doctor
from ..doctors.services import can_see_hospital, get_doctor
from ..errors import InvalidTransition, NotFound
from ..extensions import db
from ..followups.models import FollowUp, FollowUpKind, FollowUpStatus
from ..invitees.compliance import year_shares
from ..invitees.models import Invitee
from ..orgs.models import BudgetPool
from ..orgs.services import visible_provinces
from ..prescriptions.models import Prescription
from ..proposals.labels import status_text
from ..proposals.models import Meeting, Status
from ..proposals.services import get_meeting
from ..types import UTCDateTime, local_date, local_zone, utcnow

HELD = (Status.held, Status.summarized, Status.closed)
PARTS = ("hardware", "execution", "followup", "effect")
EFFECT_FULL_AT = 0.20       # +20 % scores 1
EFFECT_MONTHS = 3
# SQLite allows 500 terms in a compound SELECT (the effect's window list).
BATCH = 400
DIGITS = 4


def weights() -> dict[str, Decimal]:
    cfg = current_app.config
    return {name: Decimal(cfg[f"SCORE_WEIGHT_{name.upper()}"]) for name in PARTS}


# ---------------------------------------------------------------- months

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def meeting_month(meeting_starts_at: datetime) -> int:
    """The meeting's month is that of its local start date (TIMEZONE)."""
    return month_index(local_date(meeting_starts_at))


# ---------------------------------------------------------------- SQL pieces

def _seconds(later, earlier):
    """SQL: seconds between two UTC timestamp columns, on either database."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _meetings(ids):
    return {row.id: row for row in db.session.execute(
        select(Meeting.id, Meeting.status, Meeting.starts_at, Meeting.product,
               Meeting.checklist_items_at_start, Meeting.checklist_ticked_at_start)
        .where(Meeting.id.in_(ids)))}


def _agenda(ids) -> dict[int, tuple]:
    timed = and_(AgendaSegment.planned_minutes.is_not(None), AgendaSegment.started_at.is_not(None),
                 AgendaSegment.finished_at.is_not(None))
    rows = db.session.execute(
        select(AgendaSegment.meeting_id,
               func.coalesce(func.sum(AgendaSegment.planned_minutes), 0),
               func.sum(case((timed, _seconds(AgendaSegment.finished_at, AgendaSegment.started_at)),
                             else_=0)),
               func.sum(case((timed, 1), else_=0)))
        .where(AgendaSegment.meeting_id.in_(ids)).group_by(AgendaSegment.meeting_id))
    return {m: (int(planned), float(actual or 0), int(n or 0)) for m, planned, actual, n in rows}


def _end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_zone())


def _followups(ids) -> dict[int, tuple]:
    """meeting_id → (tasks, done on time, open, last due date). A due date is
    a local date: done on time means completed before the end of that day
    in TIMEZONE (the boundaries are computed here and given to SQL as a CASE)."""
    kinds = FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.gift_delivery])
    where = and_(FollowUp.meeting_id.in_(ids), kinds)
    due_dates = db.session.scalars(select(FollowUp.due_on).where(where).distinct()).all()
    if not due_dates:
        return {}
    boundary = case({d: literal(_end_of_local_day(d), UTCDateTime) for d in due_dates},
                    value=FollowUp.due_on)
    on_time = and_(FollowUp.status == FollowUpStatus.done, FollowUp.completed_at < boundary)
    rows = db.session.execute(
        select(FollowUp.meeting_id, func.count(FollowUp.id), func.sum(case((on_time, 1), else_=0)),
               func.sum(case((FollowUp.status == FollowUpStatus.open, 1), else_=0)),
               func.max(FollowUp.due_on))
        .where(where).group_by(FollowUp.meeting_id))
    return {m: (int(n), int(ok or 0), int(still or 0), last) for m, n, ok, still, last in rows}


def _windows(meetings) -> object:
    """A CTE of each meeting's effect window: [month − 3, month + 3] and the
    product it counts (NULL: every product)."""
    selects = []
    for row in meetings:
        mid = meeting_month(row.starts_at)
        selects.append(select(literal(row.id).label("meeting_id"),
                              literal(month_text(mid - EFFECT_MONTHS), String).label("lo"),
                              literal(month_text(mid), String).label("mid"),
                              literal(month_text(mid + EFFECT_MONTHS), String).label("hi"),
                              literal(row.product, String).label("product")))
    return (union_all(*selects) if len(selects) > 1 else selects[0]).cte("windows")


def _effect_rows(meetings, *, per_doctor: bool = False):
    """(meeting_id, [doctor_id,] month, boxes) for the attending invited
    doctors, inside each window, one aggregate query."""
    w = _windows(meetings)
    P = Prescription
    columns = [w.c.meeting_id] + ([CheckIn.doctor_id] if per_doctor else []) + [P.month]
    query = (select(*columns, func.sum(P.boxes))
             .select_from(w)
             .join(CheckIn, and_(CheckIn.meeting_id == w.c.meeting_id, counted_checkins()))
             .join(Invitee, and_(Invitee.meeting_id == CheckIn.meeting_id,
                                 Invitee.doctor_id == CheckIn.doctor_id))
             .join(P, and_(P.doctor_id == CheckIn.doctor_id, P.month >= w.c.lo, P.month <= w.c.hi,
                           P.month != w.c.mid, or_(w.c.product.is_(None), P.product == w.c.product)))
             .group_by(*columns))
    return db.session.execute(query).all()


# ---------------------------------------------------------------- parts

@dataclass
class Effect:
    months_before: list[str] = field(default_factory=list)
    months_after: list[str] = field(default_factory=list)
    before: float | None = None     # mean boxes per month with data, pooled
    after: float | None = None
    change: float | None = None


def effect_of(monthly: dict[str, int], mid: str) -> Effect:
    before = sorted(m for m in monthly if m < mid)
    after = sorted(m for m in monthly if m > mid)
    effect = Effect(before, after)
    if before:
        effect.before = sum(monthly[m] for m in before) / len(before)
    if after:
        effect.after = sum(monthly[m] for m in after) / len(after)
    if effect.before and effect.after is not None:
        effect.change = effect.after / effect.before - 1
    return effect


def _clamp(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def _hardware(row) -> tuple[float | None, str]:
    items, ticked = row.checklist_items_at_start, row.checklist_ticked_at_start
    if items is None:
        return None, _("the checklist was not recorded when the meeting started")
    if items == 0:
        return None, _("the checklist was empty when the meeting started")
    return ticked / items, _("%(ticked)s of %(items)s checklist items ticked when the meeting started",
                             ticked=ticked, items=items)


def agenda_kept(planned_minutes: int, actual_seconds: float, timed: int) -> float | None:
    if not timed:
        return None
    planned = planned_minutes * 60
    if actual_seconds <= planned:
        return 1.0
    return planned / actual_seconds


def _execution(counts: dict, agenda: tuple | None) -> tuple[float | None, str, dict]:
    def rate(n, d):
        return n / d if d else None
    attendance = rate(counts["present"], counts["expected"])
    figures = {
        "attendance_rate": None if attendance is None else min(attendance, 1.0),
        "accuracy_rate": rate(counts["attended_invited"], counts["present"]),
        "key_attendance_rate": rate(counts["key_present"], counts["key_expected"]),
        "agenda_kept": agenda_kept(*agenda) if agenda else None,
    }
    present = [v for v in figures.values() if v is not None]
    detail = _("attendance %(a)s, accuracy %(b)s, key attendance %(c)s, agenda kept %(d)s",
               a=_percent(figures["attendance_rate"]), b=_percent(figures["accuracy_rate"]),
               c=_percent(figures["key_attendance_rate"]), d=_percent(figures["agenda_kept"]))
    if not present:
        return None, _("nothing to measure: nobody expected, present or timed"), figures
    return sum(present) / len(present), detail, figures


def _followup(tasks: tuple | None, today: date) -> tuple[float | None, str]:
    if not tasks:
        return None, _("no follow-up tasks yet")
    n, on_time, still_open, last_due = tasks
    if still_open and today <= last_due:
        return None, _("%(open)s of %(n)s follow-ups still open; due by %(due)s",
                       open=still_open, n=n, due=last_due.isoformat())
    return on_time / n, _("%(done)s of %(n)s follow-ups done on time", done=on_time, n=n)


def _effect(effect: Effect, product: str | None) -> tuple[float | None, str]:
    what = product or _("all products")
    if effect.before is None:
        return None, _("no prescriptions of %(what)s in the 3 months before the meeting", what=what)
    if effect.after is None:
        return None, _("no prescriptions of %(what)s in the 3 months after the meeting yet", what=what)
    if not effect.before:
        return None, _("nothing of %(what)s prescribed before the meeting", what=what)
    return (_clamp(effect.change / EFFECT_FULL_AT),
            _("%(before)s → %(after)s boxes of %(what)s a month (%(change)s)", what=what,
              before=f"{effect.before:.1f}", after=f"{effect.after:.1f}",
              change=f"{effect.change * 100:+.1f} %"))


def _round(x):
    return None if x is None else round(float(x), DIGITS)


def _card(meeting_id: int, scores: dict[str, tuple], extra: dict) -> dict:
    w = weights()
    parts, top, exact_total = [], Decimal(0), 0.0
    for name in PARTS:
        score, detail = scores[name]
        points = None if score is None else float(w[name]) * score
        if score is not None:
            exact_total += points
            top += w[name]
        parts.append({"name": name, "weight": float(w[name]), "score": _round(score),
                      "points": _round(points), "detail": detail})
    percent = exact_total / float(top) * 100 if top else None
    return {"meeting_id": meeting_id, "parts": parts, "total": _round(exact_total),
            "max": float(top), "percent": _round(percent), **extra}


def scorecards(meeting_ids, *, today: date | None = None) -> dict[int, dict]:
    """meeting_id → scorecard, for any number of meetings: seven aggregate
    queries per batch of BATCH meetings."""
    today = today or local_date(utcnow())
    ids = list(dict.fromkeys(meeting_ids))
    out: dict[int, dict] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        meetings = _meetings(batch)
        if not meetings:
            continue
        counts = attendance_counts(list(meetings))
        agenda = _agenda(list(meetings))
        followups = _followups(list(meetings))
        monthly: dict[int, dict[str, int]] = defaultdict(dict)
        for meeting_id, month, boxes in _effect_rows(meetings.values()):
            monthly[meeting_id][month] = int(boxes)
        for meeting_id, row in meetings.items():
            effect = effect_of(monthly[meeting_id], month_text(meeting_month(row.starts_at)))
            execution = _execution(counts[meeting_id], agenda.get(meeting_id))
            scores = {"hardware": _hardware(row), "execution": execution[:2],
                      "followup": _followup(followups.get(meeting_id), today),
                      "effect": _effect(effect, row.product)}
            out[meeting_id] = _card(meeting_id, scores, {
                "execution": {k: _round(v) for k, v in execution[2].items()},
                "effect": {"product": row.product, "months_before": effect.months_before,
                           "months_after": effect.months_after, "before": _round(effect.before),
                           "after": _round(effect.after), "change": _round(effect.change)}})
    return out


def check_held(meeting: Meeting) -> None:
    """A scorecard exists once the meeting has been held: 409 before."""
    if meeting.status not in HELD:
        raise InvalidTransition(_("a %(status)s meeting has no scorecard yet; it is scored once held",
                                  status=status_text(meeting.status)))


def scorecard(user: User, meeting_id: int) -> dict:
    """GET /meetings/{id}/scorecard: visibility as the meeting (404), held,
    summarized or closed (else 409)."""
    meeting = get_meeting(user, meeting_id)
    check_held(meeting)
    return scorecards([meeting.id])[meeting.id]


def effect_by_doctor(meeting: Meeting, card: dict) -> list[dict]:
    """The sales-effect block of the meeting page: each attending invited
    doctor's boxes per month before and after, over the same months as the
    pooled figure (so the doctors add up to the total)."""
    doctors = db.session.execute(
        select(Doctor.id, Doctor.name)
        .join(CheckIn, and_(CheckIn.doctor_id == Doctor.id, CheckIn.meeting_id == meeting.id,
                            counted_checkins()))
        .join(Invitee, and_(Invitee.meeting_id == meeting.id, Invitee.doctor_id == Doctor.id))
        .order_by(Doctor.name, Doctor.id)).all()
    sums: dict[int, dict[str, int]] = defaultdict(lambda: {"before": 0, "after": 0})
    mid = month_text(meeting_month(meeting.starts_at))
    for _m, doctor_id, month, boxes in _effect_rows([meeting], per_doctor=True):
        sums[doctor_id]["before" if month < mid else "after"] += int(boxes)
    n_before = len(card["effect"]["months_before"])
    n_after = len(card["effect"]["months_after"])
    return [{"doctor_id": d, "name": name,
             "before": sums[d]["before"] / n_before if n_before else None,
             "after": sums[d]["after"] / n_after if n_after else None}
            for d, name in doctors]


# ---------------------------------------------------------------- spend per doctor

def doctor_spend(user: User, doctor_id: int, year: int | None = None) -> dict:
    """SPEC §9: the doctor's share of meeting spend in a calendar year against
    the annual cap, with the meetings it came from (the cap check's own
    aggregate, invitees.compliance.year_shares)."""
    doctor = get_doctor(doctor_id)
    if not can_see_hospital(user, doctor.department.hospital_id):
        raise NotFound(_("doctor not found"))
    year = year or local_date(utcnow()).year
    cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    shares = year_shares([doctor.id], year)[doctor.id]
    total = sum((s for _m, s in shares), Decimal("0.00"))
    return {"doctor_id": doctor.id, "year": year, "cap": cap, "total": total,
            "remaining": cap - total,
            "meetings": [{"meeting_id": m, "share": s} for m, s in shares]}


# ---------------------------------------------------------------- budget against actual

def budget_rows(user: User, period: str | None = None) -> list[dict]:
    """SPEC §9 budget vs actual, per province and quarter, within what the
    user may see: allocated, drawn by approvals (cancelled ones gave theirs
    back), actual spend of summarised meetings, remaining (after settling:
    may be below zero). One query."""
    query = (select(BudgetPool.province_id, BudgetPool.period, BudgetPool.amount, BudgetPool.spent,
                    func.coalesce(func.sum(Meeting.drawn_amount), 0),
                    func.coalesce(func.sum(Meeting.actual_total), 0))
             .outerjoin(Meeting, Meeting.drawn_pool_id == BudgetPool.id)
             .where(BudgetPool.province_id.in_(visible_provinces(user)))
             .group_by(BudgetPool.id, BudgetPool.province_id, BudgetPool.period, BudgetPool.amount,
                       BudgetPool.spent)
             .order_by(BudgetPool.period, BudgetPool.province_id))
    if period:
        query = query.where(BudgetPool.period == period)
    cent = Decimal("0.01")
    return [{"province_id": province_id, "period": p, "allocated": Decimal(amount).quantize(cent),
             "drawn": Decimal(drawn).quantize(cent), "actual": Decimal(actual).quantize(cent),
             "remaining": (Decimal(amount) - Decimal(spent)).quantize(cent)}
            for province_id, p, amount, spent, drawn, actual in db.session.execute(query)]
