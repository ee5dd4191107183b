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
  their due date; followups_on_time: those done by the due date (local).
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
from ..checkin.services import counting_clause
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
from .sqltime import day_bounds, local_day, local_month

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
            raise InvalidInput(_("from: the period starts after it ends"), field="from")
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


def _per_meeting(ids):
    """Grouped subqueries keyed by meeting_id, restricted to `ids`."""
    invited = aliased(Invitee)
    invited_doctor = aliased(Doctor)
    checkins = (
        select(CheckIn.meeting_id,
               func.count(CheckIn.id).label("present"),
               func.count(invited.id).label("attended_invited"),
               func.sum(case((and_(invited.id.is_not(None), key_clause(invited_doctor)), 1),
                             else_=0)).label("key_present"))
        .outerjoin(invited, and_(invited.meeting_id == CheckIn.meeting_id,
                                 invited.doctor_id == CheckIn.doctor_id))
        .outerjoin(invited_doctor, invited_doctor.id == invited.doctor_id)
        .where(CheckIn.meeting_id.in_(ids), counting_clause())
        .group_by(CheckIn.meeting_id).subquery("att"))
    expected = (
        select(Invitee.meeting_id, func.count(Invitee.id).label("expected"),
               func.sum(case((key_clause(Doctor), 1), else_=0)).label("key_expected"))
        .join(Doctor, Doctor.id == Invitee.doctor_id)
        .where(Invitee.meeting_id.in_(ids), expected_clause())
        .group_by(Invitee.meeting_id).subquery("exp"))
    spend = (
        select(Summary.meeting_id, func.coalesce(func.sum(SpendLine.amount), 0).label("actual"))
        .outerjoin(SpendLine, SpendLine.summary_id == Summary.id)
        .where(Summary.meeting_id.in_(ids))
        .group_by(Summary.meeting_id).subquery("spend"))
    done = FollowUp.status == FollowUpStatus.done
    followups = (
        select(FollowUp.meeting_id,
               func.sum(case((done | (FollowUp.due_on < today()), 1), else_=0)).label("due"),
               func.sum(case((done & (local_day(FollowUp.completed_at) <= FollowUp.due_on), 1),
                             else_=0)).label("on_time"))
        .where(FollowUp.meeting_id.in_(ids),
               FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.gift_delivery]))
        .group_by(FollowUp.meeting_id).subquery("fu"))
    return checkins, expected, spend, followups


def _group_key(group_by: str, scope):
    """(id, name, extra joins) of the group."""
    if group_by == "rep":
        return scope.c.owner_id, User.display_name, [(User, User.id == scope.c.owner_id)]
    if group_by == "province":
        return scope.c.province_id, Province.name, [(Province, Province.id == scope.c.province_id)]
    if group_by == "region":
        return Region.id, Region.name, [(Province, Province.id == scope.c.province_id),
                                        (Region, Region.id == Province.region_id)]
    month = local_month(scope.c.starts_at)
    return month, month, []


def meeting_report(user: User, group_by: str, period: Period) -> list[dict]:
    """One row per group (SPEC §10 "report row"), in name order."""
    if group_by not in GROUPS:
        raise InvalidInput(_("group_by: one of rep, province, region, month"), field="group_by")
    scope = (meetings_in_scope(user, period.check())
             .with_only_columns(Meeting.id, Meeting.owner_id, Meeting.province_id, Meeting.status,
                                Meeting.drawn_amount, Meeting.starts_at).cte("scope"))
    ids = select(scope.c.id)
    checkins, expected, spend, followups = _per_meeting(ids)
    key_id, key_name, joins = _group_key(group_by, scope)
    held = scope.c.status.in_(HELD)

    def held_sum(column):
        return func.coalesce(func.sum(case((held, column), else_=0)), 0)

    query = select(
        key_id.label("key_id"), key_name.label("key_name"),
        func.count(case((held, 1))).label("meetings_held"),
        func.sum(scope.c.drawn_amount).label("budget_approved"),
        func.sum(spend.c.actual).label("actual_spend"),
        held_sum(expected.c.expected).label("expected"),
        held_sum(checkins.c.present).label("present"),
        held_sum(checkins.c.attended_invited).label("attended_invited"),
        held_sum(expected.c.key_expected).label("key_expected"),
        held_sum(checkins.c.key_present).label("key_present"),
        held_sum(followups.c.due).label("followups_due"),
        held_sum(followups.c.on_time).label("followups_on_time"),
    ).select_from(scope)
    for entity, on in joins:
        query = query.join(entity, on)
    for sub in (checkins, expected, spend, followups):
        query = query.outerjoin(sub, sub.c.meeting_id == scope.c.id)
    query = query.group_by(key_id, key_name).order_by(key_name, key_id)
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
        # Scorecards (SPEC §9) are not in this branch yet: no figure rather than a made-up one.
        "score_percent_avg": None,
    }
