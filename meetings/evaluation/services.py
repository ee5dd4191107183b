"""The meeting scorecard (SPEC §9), computed in SQL: one statement gives
every part's score, the points, total, max and percent of any number of
meetings (scorecard_rows). The scorecard API and page read it, and so do the
reports' mean score and score distribution (meetings.reports), joined to
their meetings in scope: they cannot disagree, and a report's statement
count does not grow with its meetings. Python only words the details.

The rule, part by part — each score in [0, 1] or NULL while it cannot be
computed:
- hardware: share of the materials checklist ticked when the meeting started;
- execution: mean of the non-null attendance_rate (capped at 1), accuracy_rate,
  key_attendance_rate and agenda kept (1 within the planned total, else
  planned ÷ actual; NULL when no timed segment has actual times);
- followup: visit and gift tasks done on or before their (local) due date ÷
  all of them; NULL until every task is done or the last due date has passed;
- effect: the attending invited doctors' boxes summed per month, averaged over
  the months with data among the 3 after the meeting's (local) month, against
  the same over the 3 before; change = after ÷ before − 1; 1 at +20 % or more,
  0 at 0 % or less, linear between; NULL without data on both sides or with
  nothing before.
points = weight × score; total = Σ points of computed parts; max = Σ their
weights; percent = total ÷ max × 100, rounded to DIGITS (NULL when nothing is
computed) — reports bin and average that very number.

Why computed on reading rather than stored per meeting: the followup part
turns from NULL to a score when a due date passes (time, not a write), and
the effect changes with every prescription import and the key rule with
every doctor's grade; a stored percent would need all of those to refresh it.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import add

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (Date, Float, Integer, Numeric, String, and_, case, cast, func, literal, null, or_,
                        select, union_all)

from ..agenda.models import AgendaSegment
from ..auth.models import User
from ..checkin.models import CheckIn
from ..checkin.services import counted_checkins, expected_counts, present_counts
from ..doctors.models import Doctor
from ..doctors.services import can_see_hospital, get_doctor
from ..errors import InvalidTransition, NotFound
from ..extensions import db
from ..followups.models import FollowUp, FollowUpKind, FollowUpStatus
from ..summary.shares import year_shares
from ..invitees.models import Invitee
from ..orgs.models import BudgetPool
from ..orgs.services import visible_provinces
from ..prescriptions.models import Prescription
from ..proposals.labels import status_text
from ..proposals.models import Meeting, Status
from ..proposals.services import get_meeting
from ..sqltime import local_day, local_month, local_month_shifted
from ..types import local_date, utcnow

HELD = (Status.held, Status.summarized, Status.closed)
PARTS = ("hardware", "execution", "followup", "effect")
EFFECT_FULL_AT = 0.20       # +20 % scores 1
EFFECT_MONTHS = 3
# Meeting ids bound per statement by scorecards(): well under SQLite's
# 32,766 parameters. Reports pass a subquery of ids instead and need no chunks.
CHUNK = 10_000
DIGITS = 4


def weights() -> dict[str, Decimal]:
    cfg = current_app.config
    return {name: Decimal(cfg[f"SCORE_WEIGHT_{name.upper()}"]) for name in PARTS}


# ---------------------------------------------------------------- SQL pieces

def _seconds(later, earlier):
    """SQL: seconds between two UTC timestamp columns, on either database."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _ratio(numerator, denominator):
    """SQL: numerator ÷ denominator as a float; NULL over 0 (or NULL)."""
    return case((denominator > 0, cast(numerator, Float) / denominator))


def _clamp(x):
    return case((x < 0, 0.0), (x > 1, 1.0), else_=x)


def _scored(meeting_ids):
    """A CTE of the meetings to score (`meeting_ids`: a list or a select of
    ids) with their effect window: the local month `mid`, [lo, hi] = mid ± 3
    months, and the product counted (NULL: every product)."""
    return (select(Meeting.id, Meeting.product,
                   Meeting.checklist_items_at_start.label("checklist_items"),
                   Meeting.checklist_ticked_at_start.label("checklist_ticked"),
                   local_month(Meeting.starts_at).label("mid"),
                   local_month_shifted(Meeting.starts_at, -EFFECT_MONTHS).label("lo"),
                   local_month_shifted(Meeting.starts_at, EFFECT_MONTHS).label("hi"))
            .where(Meeting.id.in_(meeting_ids)).cte("scored"))


def _monthly(scored, *, per_doctor: bool = False):
    """(meeting_id, mid, [doctor_id,] month, boxes): the attending invited
    doctors' boxes per month inside each window, the meeting's month left out."""
    P = Prescription
    columns = ([scored.c.id.label("meeting_id"), scored.c.mid]
               + ([CheckIn.doctor_id] if per_doctor else []) + [P.month])
    return (select(*columns, func.sum(P.boxes).label("boxes"))
            .select_from(scored)
            .join(CheckIn, and_(CheckIn.meeting_id == scored.c.id, counted_checkins()))
            .join(Invitee, and_(Invitee.meeting_id == CheckIn.meeting_id,
                                Invitee.doctor_id == CheckIn.doctor_id))
            .join(P, and_(P.doctor_id == CheckIn.doctor_id, P.month >= scored.c.lo, P.month <= scored.c.hi,
                          P.month != scored.c.mid,
                          or_(scored.c.product.is_(None), P.product == scored.c.product)))
            .group_by(*columns))


def _agenda(ids):
    timed = and_(AgendaSegment.planned_minutes.is_not(None), AgendaSegment.started_at.is_not(None),
                 AgendaSegment.finished_at.is_not(None))
    return (select(AgendaSegment.meeting_id,
                   func.coalesce(func.sum(AgendaSegment.planned_minutes), 0).label("planned"),
                   func.sum(case((timed, _seconds(AgendaSegment.finished_at, AgendaSegment.started_at)),
                                 else_=0.0)).label("actual"),
                   func.sum(case((timed, 1), else_=0)).label("timed"))
            .where(AgendaSegment.meeting_id.in_(ids)).group_by(AgendaSegment.meeting_id))


def _followups(ids):
    """Per meeting: visit and gift tasks, those done on time (completed by
    the end of their due date in TIMEZONE), those still open, the last due date."""
    done = FollowUp.status == FollowUpStatus.done
    on_time = and_(done, local_day(FollowUp.completed_at) <= FollowUp.due_on)
    return (select(FollowUp.meeting_id, func.count(FollowUp.id).label("tasks"),
                   func.sum(case((on_time, 1), else_=0)).label("on_time"),
                   func.sum(case((FollowUp.status == FollowUpStatus.open, 1), else_=0)).label("still_open"),
                   func.max(FollowUp.due_on).label("last_due"))
            .where(FollowUp.meeting_id.in_(ids),
                   FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.gift_delivery]))
            .group_by(FollowUp.meeting_id))


# Per meeting, what each part is computed from: the columns of _facts().
FACTS = {"checklist_items": Integer, "checklist_ticked": Integer, "product": String, "expected": Integer,
         "key_expected": Integer, "present": Integer, "attended_invited": Integer, "key_present": Integer,
         "planned_minutes": Integer, "actual_seconds": Float, "timed": Integer, "tasks": Integer,
         "on_time": Integer, "still_open": Integer, "last_due": Date, "before_boxes": Integer,
         "before_months": Integer, "after_boxes": Integer, "after_months": Integer}
# how the rows of one meeting combine: a fact comes from one source each
LAST = {"checklist_items", "checklist_ticked", "product", "last_due"}


def _facts(meeting_ids):
    """Subquery: one row per meeting with FACTS. Each source (the meeting,
    invitees, check-ins, agenda, tasks, prescriptions) is aggregated once
    into a branch of a UNION ALL, and the branches are summed per meeting:
    no aggregate sits on the inner side of a join, so however wrong the
    planner's row estimates (a bulk load or restore not yet analysed) it
    never recomputes one per meeting."""
    scored = _scored(meeting_ids)
    ids = select(scored.c.id)

    def branch(source, meeting_id, **columns):
        return (select(meeting_id.label("meeting_id"),
                       *[columns.get(name, cast(null(), kind)).label(name) for name, kind in FACTS.items()])
                .select_from(source))
    exp = expected_counts(ids).subquery("exp")
    att = present_counts(ids).subquery("att")
    agenda = _agenda(ids).subquery("agenda")
    fu = _followups(ids).subquery("fu")
    monthly = _monthly(scored).subquery("monthly")
    before, after = monthly.c.month < monthly.c.mid, monthly.c.month > monthly.c.mid
    branches = union_all(
        branch(scored, scored.c.id, checklist_items=scored.c.checklist_items,
               checklist_ticked=scored.c.checklist_ticked, product=scored.c.product),
        branch(exp, exp.c.meeting_id, expected=exp.c.expected, key_expected=exp.c.key_expected,
               key_present=exp.c.key_present),
        branch(att, att.c.meeting_id, present=att.c.present, attended_invited=att.c.attended_invited),
        branch(agenda, agenda.c.meeting_id, planned_minutes=agenda.c.planned,
               actual_seconds=agenda.c.actual, timed=agenda.c.timed),
        branch(fu, fu.c.meeting_id, tasks=fu.c.tasks, on_time=fu.c.on_time, still_open=fu.c.still_open,
               last_due=fu.c.last_due),
        branch(monthly, monthly.c.meeting_id,
               before_boxes=case((before, monthly.c.boxes)), before_months=case((before, 1)),
               after_boxes=case((after, monthly.c.boxes)), after_months=case((after, 1))),
    ).subquery("branches")
    return (select(branches.c.meeting_id.label("id"),
                   *[(func.max(branches.c[name]) if name in LAST
                      else func.coalesce(func.sum(branches.c[name]), 0)).label(name) for name in FACTS])
            .group_by(branches.c.meeting_id).subquery("facts"))


def _figures(meeting_ids, today: date):
    """Subquery: per meeting, the facts, the execution rates, the effect's
    monthly means and change, and the hardware and followup scores."""
    f = _facts(meeting_ids)
    boxes_before = case((f.c.before_months > 0, cast(f.c.before_boxes, Float) / f.c.before_months))
    boxes_after = case((f.c.after_months > 0, cast(f.c.after_boxes, Float) / f.c.after_months))
    planned_seconds = f.c.planned_minutes * 60
    return select(
        f, boxes_before.label("boxes_before"), boxes_after.label("boxes_after"),
        case((boxes_before > 0, boxes_after / boxes_before - 1.0)).label("change"),
        _ratio(f.c.checklist_ticked, f.c.checklist_items).label("hardware"),
        case((f.c.expected > 0, case((f.c.present >= f.c.expected, 1.0),
                                     else_=cast(f.c.present, Float) / f.c.expected))).label("attendance_rate"),
        _ratio(f.c.attended_invited, f.c.present).label("accuracy_rate"),
        _ratio(f.c.key_present, f.c.key_expected).label("key_attendance_rate"),
        case((f.c.timed > 0, case((f.c.actual_seconds <= planned_seconds, 1.0),
                                  else_=cast(planned_seconds, Float) / f.c.actual_seconds))).label("agenda_kept"),
        case((and_(f.c.still_open > 0, f.c.last_due >= today), null()),
             else_=_ratio(f.c.on_time, f.c.tasks)).label("followup"),
    ).subquery("figures")


EXECUTION = ("attendance_rate", "accuracy_rate", "key_attendance_rate", "agenda_kept")


def scorecard_rows(meeting_ids, today: date | None = None):
    """SQL: one row per meeting of `meeting_ids` (a list or a select of ids)
    with its figures, each part's score and points, total, max_points and
    percent. Join it to a report's meetings to aggregate the percent."""
    today = today or local_date(utcnow())
    f = _figures(meeting_ids, today)
    rates = [f.c[name] for name in EXECUTION]
    counted = reduce(add, [case((r.is_not(None), 1), else_=0) for r in rates])
    execution = case((counted > 0, reduce(add, [func.coalesce(r, 0.0) for r in rates]) / counted))
    effect = _clamp(f.c.change / EFFECT_FULL_AT)
    parts = select(f, execution.label("execution"), effect.label("effect")).subquery("parts")
    w = {name: literal(float(weight), Float) for name, weight in weights().items()}
    points = {name: w[name] * parts.c[name] for name in PARTS}
    total = reduce(add, [func.coalesce(points[name], 0.0) for name in PARTS])
    top = reduce(add, [case((parts.c[name].is_not(None), w[name]), else_=0.0) for name in PARTS])
    # rounded here, as the scorecard shows it, so that a report bins and
    # averages the very number each meeting's scorecard gives
    percent = case((top > 0, cast(func.round(cast(total / top * 100, Numeric), DIGITS), Float)))
    return select(parts, *[points[name].label(f"{name}_points") for name in PARTS],
                  total.label("total"), top.label("max_points"), percent.label("percent"))


# ---------------------------------------------------------------- details

def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def _hardware_detail(row) -> str:
    if row.checklist_items is None:
        return _("the checklist was not recorded when the meeting started")
    if row.checklist_items == 0:
        return _("the checklist was empty when the meeting started")
    return _("%(ticked)s of %(items)s checklist items ticked when the meeting started",
             ticked=row.checklist_ticked, items=row.checklist_items)


def _execution_detail(row) -> str:
    if row.execution is None:
        return _("nothing to measure: nobody expected, present or timed")
    return _("attendance %(a)s, accuracy %(b)s, key attendance %(c)s, agenda kept %(d)s",
             a=_percent(row.attendance_rate), b=_percent(row.accuracy_rate),
             c=_percent(row.key_attendance_rate), d=_percent(row.agenda_kept))


def _followup_detail(row) -> str:
    if not row.tasks:
        return _("no follow-up tasks yet")
    if row.followup is None:
        return _("%(open)s of %(n)s follow-ups still open; due by %(due)s",
                 open=row.still_open, n=row.tasks, due=row.last_due.isoformat())
    return _("%(done)s of %(n)s follow-ups done on time", done=row.on_time, n=row.tasks)


def _effect_detail(row) -> str:
    what = row.product or _("all products")
    if row.boxes_before is None:
        return _("no prescriptions of %(what)s in the 3 months before the meeting", what=what)
    if row.boxes_after is None:
        return _("no prescriptions of %(what)s in the 3 months after the meeting yet", what=what)
    if row.change is None:
        return _("nothing of %(what)s prescribed before the meeting", what=what)
    return _("%(before)s → %(after)s boxes of %(what)s a month (%(change)s)", what=what,
             before=f"{row.boxes_before:.1f}", after=f"{row.boxes_after:.1f}",
             change=f"{row.change * 100:+.1f} %")


DETAILS = {"hardware": _hardware_detail, "execution": _execution_detail,
           "followup": _followup_detail, "effect": _effect_detail}


def _round(x):
    return None if x is None else round(float(x), DIGITS)


def _card(row, months: tuple[list, list]) -> dict:
    w = weights()
    parts = [{"name": name, "weight": float(w[name]), "score": _round(row._mapping[name]),
              "points": _round(row._mapping[f"{name}_points"]), "detail": DETAILS[name](row)}
             for name in PARTS]
    return {"meeting_id": row.id, "parts": parts, "total": _round(row.total),
            "max": float(row.max_points), "percent": _round(row.percent),
            "execution": {name: _round(row._mapping[name]) for name in EXECUTION},
            "effect": {"product": row.product, "months_before": months[0], "months_after": months[1],
                       "before": _round(row.boxes_before), "after": _round(row.boxes_after),
                       "change": _round(row.change)}}


def scorecards(meeting_ids, *, today: date | None = None) -> dict[int, dict]:
    """meeting_id → scorecard, for any number of meetings: two statements
    (the scores, and the months with data for the effect's detail) per
    CHUNK meetings."""
    today = today or local_date(utcnow())
    ids = list(dict.fromkeys(meeting_ids))
    out: dict[int, dict] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = db.session.execute(scorecard_rows(chunk, today)).all()
        if not rows:
            continue
        months: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        monthly = _monthly(_scored(chunk)).subquery()
        for meeting_id, mid, month in db.session.execute(
                select(monthly.c.meeting_id, monthly.c.mid, monthly.c.month).order_by(monthly.c.month)):
            months[meeting_id][0 if month < mid else 1].append(month)
        for row in rows:
            out[row.id] = _card(row, months[row.id])
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
    for _m, mid, doctor_id, month, boxes in db.session.execute(
            _monthly(_scored([meeting.id]), per_doctor=True)):
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
    the annual cap, with the meetings it came from, each an estimate or
    actual (SPEC §12: the cap check's own shares, summary.shares)."""
    doctor = get_doctor(doctor_id)
    if not can_see_hospital(user, doctor.department.hospital_id):
        raise NotFound(_("doctor not found"))
    year = year or local_date(utcnow()).year
    cap = current_app.config["DOCTOR_ANNUAL_CAP"]
    shares = year_shares([doctor.id], year)[doctor.id]
    total = sum((s.share for s in shares), Decimal("0.00"))
    return {"doctor_id": doctor.id, "year": year, "cap": cap, "total": total,
            "remaining": cap - total,
            "meetings": [{"meeting_id": s.meeting_id, "share": s.share, "basis": s.basis}
                         for s in shares],
            # a speaker's fee is the speaker's alone (SPEC §12); speakers (§13) come later
            "speaker_fees": Decimal("0.00")}


# ---------------------------------------------------------------- budget against actual

def budget_rows(user: User, period: str | None = None, province_id: int | None = None) -> list[dict]:
    """SPEC §9 budget vs actual, per province and quarter, within what the
    user may see — the one formula every page, chart and the API use
    (docs/rules/9-budget.md):

    - allocated: the quarter's pool;
    - actual: what the summaries of its meetings say was spent (a summary
      settles its meeting's draw at the actual spend);
    - drawn: what approvals hold for meetings not settled yet (approved,
      not summarised; a cancelled one gave its draw back) — the pool's use
      less the settled actual spend;
    - remaining = allocated − drawn − actual, what approvals may still take
      (below zero when an overspend was settled).
    One query."""
    query = (select(BudgetPool.id, BudgetPool.province_id, BudgetPool.period, BudgetPool.amount,
                    BudgetPool.spent, func.coalesce(func.sum(Meeting.actual_total), 0))
             .outerjoin(Meeting, and_(Meeting.drawn_pool_id == BudgetPool.id,
                                      Meeting.actual_total.is_not(None)))
             .where(BudgetPool.province_id.in_(visible_provinces(user)))
             .group_by(BudgetPool.id, BudgetPool.province_id, BudgetPool.period, BudgetPool.amount,
                       BudgetPool.spent)
             .order_by(BudgetPool.period, BudgetPool.province_id))
    if period:
        query = query.where(BudgetPool.period == period)
    if province_id is not None:
        query = query.where(BudgetPool.province_id == province_id)
    return [budget_figures(pool_id, province, p, Decimal(amount), Decimal(spent), Decimal(actual))
            for pool_id, province, p, amount, spent, actual in db.session.execute(query)]


def budget_figures(pool_id, province_id, period, allocated: Decimal, used: Decimal,
                   actual: Decimal) -> dict:
    """One budget row from a pool's amount, its use (drawn + settled) and the
    settled actual spend: drawn + actual + remaining = allocated, always."""
    cent = Decimal("0.01")
    allocated, used, actual = allocated.quantize(cent), used.quantize(cent), actual.quantize(cent)
    return {"pool_id": pool_id, "province_id": province_id, "period": period, "allocated": allocated,
            "drawn": used - actual, "actual": actual, "remaining": allocated - used}
