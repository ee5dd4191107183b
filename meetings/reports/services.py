"""The meetings report of SPEC §9: figures per rep, province, region (or
month, for the charts) over a period, within what the user may see (§1).

One SQL statement per report: per-meeting figures come from grouped
subqueries (check-ins, expected invitees, spend, follow-ups) joined to the
meetings in scope and summed per group. Rates are pooled — Σ numerator ÷
Σ denominator over the group — never a mean of the meetings' rates, and
null over an empty denominator, as in checkin.services.attendance().

What each figure counts (the meetings are those starting in the period,
local dates, that were approved and not cancelled or rejected):
- meetings_held: held, summarized or closed;
- budget_approved: what their approvals drew from the pools;
- actual_spend: the summaries' actual spend (summarised meetings);
- expected, present, accuracy and key figures: §5, over held meetings;
- followups_due: visit and gift tasks of held meetings that are done or past
  their due date; followups_on_time: those done by the due date (local);
- score_percent_avg: the mean scorecard percent of the held meetings that
  have one (evaluation.services.scorecard_rows, joined in the same statement).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..checkin.models import CheckIn
from ..checkin.services import counted_checkins, key_seat_filled
from ..evaluation.services import scorecard_rows
from ..invitees.services import expected_clause
from ..doctors.models import Doctor
from ..doctors.services import key_clause
from ..errors import InvalidInput
from ..extensions import db
from ..followups.models import FollowUp, FollowUpKind, FollowUpStatus
from ..followups.services import today
from ..invitees.models import Invitee
from ..orgs.models import Province, Region
from ..proposals.models import Meeting, Status
from ..proposals.services import visible_meetings
from ..summary.models import SpendLine, Summary
from ..sqltime import day_bounds, local_day, local_month

GROUPS = ("rep", "province", "region", "month")
HELD = (Status.held, Status.summarized, Status.closed)
APPROVED = (Status.approved, Status.in_progress, *HELD)
ZERO = Decimal("0.00")


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    def check(self) -> "Period":
        if self.start and self.end and self.start > self.end:
            raise InvalidInput(_("the period starts after it ends"), field="from")
        return self


def meetings_in_scope(user: User, period: Period):
    """The approved meetings the user may see that start in the period."""
    low, high = day_bounds(period.start, period.end)
    query = visible_meetings(user).where(Meeting.status.in_(APPROVED))
    if low is not None:
        query = query.where(Meeting.starts_at >= low)
    if high is not None:
        query = query.where(Meeting.starts_at < high)
    return query


def _scope(user: User, group_by: str, period: Period):
    """The meetings in scope with their group's key `k`, as a CTE."""
    query = meetings_in_scope(user, period)
    if group_by == "rep":
        key = Meeting.owner_id
    elif group_by == "province":
        key = Meeting.province_id
    elif group_by == "region":
        query = query.join(Province, Province.id == Meeting.province_id)
        key = Province.region_id
    else:
        key = local_month(Meeting.starts_at)
    return query.with_only_columns(Meeting.id, Meeting.status, Meeting.drawn_amount,
                                   key.label("k")).cte("scope")


def _per_group(scope):
    """One grouped subquery per source table, summed per group key over the
    held meetings in scope. Grouping each by the key (not by meeting) keeps
    the row estimates small, so PostgreSQL plans (and never JIT-compiles) a
    report like the small query it is."""
    held = scope.c.status.in_(HELD)
    invited = aliased(Invitee)
    checkins = (
        select(scope.c.k,
               func.count(CheckIn.id).label("present"),
               func.count(invited.id).label("attended_invited"))
        .select_from(CheckIn).join(scope, scope.c.id == CheckIn.meeting_id)
        .outerjoin(invited, and_(invited.meeting_id == CheckIn.meeting_id,
                                 invited.doctor_id == CheckIn.doctor_id))
        .where(held, counted_checkins())
        .group_by(scope.c.k).subquery("att"))
    # SPEC §5 key seats: each expected key invitee once, filled by them or their backup
    expected = (
        select(scope.c.k, func.count(Invitee.id).label("expected"),
               func.sum(case((key_clause(Doctor), 1), else_=0)).label("key_expected"),
               func.sum(case((and_(key_clause(Doctor), key_seat_filled()), 1), else_=0))
               .label("key_present"))
        .select_from(Invitee).join(scope, scope.c.id == Invitee.meeting_id)
        .join(Doctor, Doctor.id == Invitee.doctor_id)
        .where(held, expected_clause())
        .group_by(scope.c.k).subquery("exp"))
    spend = (
        select(scope.c.k, func.sum(SpendLine.amount).label("actual"))
        .select_from(Summary).join(scope, scope.c.id == Summary.meeting_id)
        .join(SpendLine, SpendLine.summary_id == Summary.id)
        .where(held)
        .group_by(scope.c.k).subquery("spend"))
    done = FollowUp.status == FollowUpStatus.done
    followups = (
        select(scope.c.k,
               func.sum(case((done | (FollowUp.due_on < today()), 1), else_=0)).label("due"),
               func.sum(case((done & (local_day(FollowUp.completed_at) <= FollowUp.due_on), 1),
                             else_=0)).label("on_time"))
        .select_from(FollowUp).join(scope, scope.c.id == FollowUp.meeting_id)
        .where(held, FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.gift_delivery]))
        .group_by(scope.c.k).subquery("fu"))
    cards = scorecard_rows(select(scope.c.id).where(held)).subquery("cards")
    # MATERIALIZED: computed once, even where a plan (before the statistics
    # catch up with a bulk load) would loop over it per group
    score = (select(scope.c.k, func.avg(cards.c.percent).label("score_percent_avg"))
             .select_from(cards).join(scope, scope.c.id == cards.c.id)
             .group_by(scope.c.k).cte("score").prefix_with("MATERIALIZED"))
    return checkins, expected, spend, followups, score


def _names(group_by: str, key):
    """(name column, join) of the group's key."""
    if group_by == "rep":
        return User.display_name, (User, User.id == key)
    if group_by == "province":
        return Province.name, (Province, Province.id == key)
    if group_by == "region":
        return Region.name, (Region, Region.id == key)
    return key, None


def meeting_report(user: User, group_by: str, period: Period) -> list[dict]:
    """One row per group (SPEC §10 "report row"), in name order."""
    if group_by not in GROUPS:
        raise InvalidInput(_("choose one of the offered groupings"), field="group_by")
    scope = _scope(user, group_by, period.check())
    base = (select(scope.c.k, func.count(case((scope.c.status.in_(HELD), 1))).label("meetings_held"),
                   func.sum(scope.c.drawn_amount).label("budget_approved"))
            .group_by(scope.c.k).subquery("base"))
    checkins, expected, spend, followups, score = _per_group(scope)
    name, join = _names(group_by, base.c.k)

    def total(column):
        return func.coalesce(column, 0)

    query = select(
        base.c.k.label("key_id"), name.label("key_name"), base.c.meetings_held, base.c.budget_approved,
        spend.c.actual.label("actual_spend"),
        total(expected.c.expected).label("expected"),
        total(checkins.c.present).label("present"),
        total(checkins.c.attended_invited).label("attended_invited"),
        total(expected.c.key_expected).label("key_expected"),
        total(expected.c.key_present).label("key_present"),
        total(followups.c.due).label("followups_due"),
        total(followups.c.on_time).label("followups_on_time"),
        score.c.score_percent_avg,
    ).select_from(base)
    if join is not None:
        query = query.join(*join)
    for sub in (checkins, expected, spend, followups, score):
        query = query.outerjoin(sub, sub.c.k == base.c.k)
    query = query.order_by(name, base.c.k)
    return [_row(group_by, row) for row in db.session.execute(query)]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def _row(group_by: str, row) -> dict:
    expected, present = int(row.expected), int(row.present)
    attended, key_expected, key_present = (int(row.attended_invited), int(row.key_expected),
                                           int(row.key_present))
    due, on_time = int(row.followups_due), int(row.followups_on_time)
    return {
        "key": {"type": group_by, "id": row.key_id, "name": row.key_name},
        "meetings_held": int(row.meetings_held),
        "budget_approved": _money(row.budget_approved),
        "actual_spend": _money(row.actual_spend),
        "expected": expected,
        "present": present,
        "attended_invited": attended,
        "key_expected": key_expected,
        "key_present": key_present,
        "attendance_rate": rate(present, expected),
        "accuracy_rate": rate(attended, present),
        "key_attendance_rate": rate(key_present, key_expected),
        "followups_due": due,
        "followups_on_time": on_time,
        "followup_on_time_rate": rate(on_time, due),
        # AVG skips the meetings with nothing computable yet (not counted as 0)
        "score_percent_avg": None if row.score_percent_avg is None
        else round(float(row.score_percent_avg), 2),
    }


# ---------------------------------------------------------------- score distribution

SCORE_BINS = (0, 20, 40, 60, 80, 100)   # [0, 20), [20, 40) … [80, 100]


def score_distribution(user: User, period: Period) -> dict:
    """How the held meetings in scope (as in meeting_report: the user's
    visibility, the period) spread over bands of scorecard percent — the
    percent each meeting's scorecard shows — and how many have none yet.
    One statement: `bins` [{low, high, meetings}], `unscored`."""
    held = (meetings_in_scope(user, period.check()).where(Meeting.status.in_(HELD))
            .with_only_columns(Meeting.id))
    cards = scorecard_rows(held).subquery("cards")
    percent = cards.c.percent
    band = case((percent.is_(None), -1),
                *[(percent < high, i) for i, high in enumerate(SCORE_BINS[1:-1])],
                else_=len(SCORE_BINS) - 2)
    # grouped by the column of a subquery: PostgreSQL would not match a
    # GROUP BY CASE whose parameters are bound apart from the SELECT's
    banded = select(band.label("band")).subquery("banded")
    counts = dict(db.session.execute(select(banded.c.band, func.count())
                                     .group_by(banded.c.band)).all())
    return {"bins": [{"low": low, "high": high, "meetings": int(counts.get(i, 0))}
                     for i, (low, high) in enumerate(zip(SCORE_BINS, SCORE_BINS[1:]))],
            "unscored": int(counts.get(-1, 0))}
