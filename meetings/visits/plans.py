"""Upgrade plans (目标客户升级计划, seed 004, SPEC §15): for a B doctor, or a
D doctor whose potential is at least 80 % of the high-potential threshold,
at least 3 activities with due dates over 30–62 days, approved by the
provincial manager. At the end the doctor's average monthly boxes over the
plan's months are set against the 3 months before: success when the grade
reached A or boxes rose by 20 % or more. Each rep's target: 3 new plans a
month."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..actionlog import log_action
from ..auth.models import Role, User
from ..doctors.models import NEVER_KEY_TITLES, Department, Doctor, Grade, Hospital
from ..doctors.services import grade_of, visible_hospitals
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..prescriptions.models import Prescription
from ..types import month_index, month_text, utcnow
from .models import PlanStatus, UpgradeActivity, UpgradePlan
from .services import VISITORS, reps_in_scope, today, visitable_doctor

DAYS_MIN, DAYS_MAX = 30, 62
ACTIVITIES_MIN = 3
NEAR_HIGH_POTENTIAL = Decimal("0.8")  # a D doctor this close to high potential is worth a plan
SUCCESS_RISE = Decimal("0.20")
MONTHLY_TARGET = 3
MONTHS_BEFORE = 3
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def eligible(doctor: Doctor) -> bool:
    """B, or D with potential ≥ 80 % of the high-potential threshold; never a nurse or intern."""
    if doctor.title in NEVER_KEY_TITLES:
        return False
    grade = grade_of(doctor)
    threshold = current_app.config["GRADE_HIGH_POTENTIAL"]
    return grade == Grade.B or (grade == Grade.D and Decimal(doctor.potential or 0) >= threshold * NEAR_HIGH_POTENTIAL)


def status_of(plan: UpgradePlan, day: date | None = None) -> PlanStatus:
    if not plan.approved:
        return PlanStatus.draft
    return PlanStatus.finished if plan.ends_on < (day or today()) else PlanStatus.approved


def create_plan(actor: User, *, doctor_id, starts_on: date, ends_on: date, activities: list[dict]) -> UpgradePlan:
    if actor.role not in VISITORS:
        raise Forbidden(_("only reps and managers propose upgrade plans"))
    doctor = visitable_doctor(actor, doctor_id)
    if not eligible(doctor):
        raise InvalidInput(_("an upgrade plan is for a B doctor, or a D doctor of at least "
                             "four fifths of the high potential"), field="doctor_id")
    length = (ends_on - starts_on).days
    if not DAYS_MIN <= length <= DAYS_MAX:
        raise InvalidInput(_("a plan runs %(low)s to %(high)s days", low=DAYS_MIN, high=DAYS_MAX),
                           field="ends_on")
    if len(activities or []) < ACTIVITIES_MIN:
        raise InvalidInput(_("at least %(n)s activities", n=ACTIVITIES_MIN), field="activities")
    for i, item in enumerate(activities):
        if not starts_on <= item["due_on"] <= ends_on:
            raise InvalidInput(_("within the plan's days", i=i),
                               field=f"activities.{i}.due_on")
    plan = UpgradePlan(doctor_id=doctor.id, rep_id=actor.id, starts_on=starts_on, ends_on=ends_on,
                       activities=[UpgradeActivity(title=item["title"].strip(), due_on=item["due_on"])
                                   for item in activities])
    db.session.add(plan)
    db.session.flush()
    log_action(actor, "create", "upgrade_plan", plan.id, after={
        "doctor_id": doctor.id, "rep_id": actor.id, "starts_on": starts_on, "ends_on": ends_on,
        "activities": len(activities)})
    return plan


def approve(actor: User, plan: UpgradePlan) -> UpgradePlan:
    """The provincial manager of the doctor's province approves a draft."""
    hospital_province = db.session.scalar(
        select(Hospital.province_id).join(Department, Department.hospital_id == Hospital.id)
        .where(Department.id == plan.doctor.department_id))
    if actor.role != Role.provincial_manager or actor.province_id != hospital_province:
        raise Forbidden(_("the provincial manager approves upgrade plans"))
    if plan.approved:
        raise Conflict(_("this plan is already approved"))
    plan.approved, plan.approved_by_id, plan.approved_at = True, actor.id, utcnow()
    log_action(actor, "approve", "upgrade_plan", plan.id, before={"status": PlanStatus.draft},
               after={"status": PlanStatus.approved})
    db.session.flush()
    return plan


def visible_plans(user: User) -> Select:
    """A rep sees their own plans; a manager those for doctors of the
    hospitals of their province (region); admin and marketing all."""
    query = select(UpgradePlan).options(selectinload(UpgradePlan.activities), selectinload(UpgradePlan.doctor))
    if user.role in (Role.admin, Role.marketing):
        return query
    mine = UpgradePlan.rep_id == user.id
    if user.role not in (Role.provincial_manager, Role.regional_manager):
        return query.where(mine)
    doctors = (select(Doctor.id).join(Department, Department.id == Doctor.department_id)
               .where(Department.hospital_id.in_(visible_hospitals(user))))
    return query.where(mine | UpgradePlan.doctor_id.in_(doctors))


def list_plans(user: User) -> Select:
    return visible_plans(user).order_by(UpgradePlan.starts_on.desc(), UpgradePlan.id.desc())


def get_plan(user: User, plan_id: int) -> UpgradePlan:
    plan = db.session.scalar(visible_plans(user).where(UpgradePlan.id == plan_id))
    if plan is None:
        raise NotFound(_("upgrade plan not found"))
    return plan


# ---------------------------------------------------------------- results

def _months(plan: UpgradePlan) -> tuple[list[str], list[str]]:
    first, last = month_index(plan.starts_on), month_index(plan.ends_on)
    during = [month_text(i) for i in range(first, last + 1)]
    before = [month_text(i) for i in range(first - MONTHS_BEFORE, first)]
    return before, during


def results(plans: list[UpgradePlan], day: date | None = None) -> dict[int, dict | None]:
    """Per finished plan: before, after (average monthly boxes), change
    (after ÷ before − 1, null without boxes before) and success (grade A
    now, or a rise of 20 % or more); None for a plan not finished. One
    query for every plan's prescriptions."""
    finished = [p for p in plans if status_of(p, day) == PlanStatus.finished]
    out: dict[int, dict | None] = {p.id: None for p in plans}
    if not finished:
        return out
    months = {p.id: _months(p) for p in finished}
    wanted = {m for before, during in months.values() for m in before + during}
    boxes: dict[tuple[int, str], int] = defaultdict(int)
    for doctor_id, month, total in db.session.execute(
            select(Prescription.doctor_id, Prescription.month, func.sum(Prescription.boxes))
            .where(Prescription.doctor_id.in_({p.doctor_id for p in finished}), Prescription.month.in_(wanted))
            .group_by(Prescription.doctor_id, Prescription.month)):
        boxes[(doctor_id, month)] = int(total or 0)
    for plan in finished:
        before_months, during = months[plan.id]
        before = Decimal(sum(boxes[(plan.doctor_id, m)] for m in before_months)) / len(before_months)
        after = Decimal(sum(boxes[(plan.doctor_id, m)] for m in during)) / len(during)
        change = (after / before - 1) if before > 0 else None
        grade = grade_of(plan.doctor)
        out[plan.id] = {"before": round(float(before), 2), "after": round(float(after), 2),
                        "change": round(float(change), 4) if change is not None else None,
                        "grade": grade.value,
                        "success": grade == Grade.A or (change is not None and change >= SUCCESS_RISE)}
    return out


def as_json(plans: list[UpgradePlan]) -> list[dict]:
    result = results(plans)
    return [{"id": p.id, "doctor_id": p.doctor_id, "doctor_name": p.doctor.name if p.doctor else None,
             "rep_id": p.rep_id, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
             "status": status_of(p).value, "approved_by_id": p.approved_by_id,
             "activities": [{"id": a.id, "title": a.title, "due_on": a.due_on.isoformat(), "done": a.done}
                            for a in p.activities],
             "result": result[p.id]} for p in plans]


def parse_month(text: str | None) -> int:
    if text is None:
        return month_index(today())
    match = MONTH.match(text) if isinstance(text, str) else None
    if match is None or not 2000 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("use YYYY-MM, such as 2026-09"), field="month")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def plan_report(user: User, month: int) -> list[dict]:
    """Per rep the user sees, in the month: the target (3), plans started
    (approved plans starting in the month), finished (ending in it, past
    their last day) and succeeded."""
    first = date(month // 12, month % 12 + 1, 1)
    after = date((month + 1) // 12, (month + 1) % 12 + 1, 1)
    reps = db.session.execute(select(User.id, User.display_name).where(User.id.in_(reps_in_scope(user)))
                              .order_by(User.display_name, User.id)).all()
    plans = db.session.scalars(
        select(UpgradePlan).options(selectinload(UpgradePlan.doctor))
        .where(UpgradePlan.rep_id.in_([r.id for r in reps]), UpgradePlan.approved.is_(True),
               ((UpgradePlan.starts_on >= first) & (UpgradePlan.starts_on < after))
               | ((UpgradePlan.ends_on >= first) & (UpgradePlan.ends_on < after)))).all()
    result = results(plans)
    out = []
    for rep in reps:
        mine = [p for p in plans if p.rep_id == rep.id]
        ended = [p for p in mine if first <= p.ends_on < after and result[p.id] is not None]
        out.append({"key": {"type": "rep", "id": rep.id, "name": rep.display_name}, "rep_id": rep.id,
                    "month": month_text(month), "target": MONTHLY_TARGET,
                    "started": sum(1 for p in mine if first <= p.starts_on < after),
                    "finished": len(ended), "succeeded": sum(1 for p in ended if result[p.id]["success"])})
    return out


def mark_done(actor: User, plan: UpgradePlan, activity_id: int) -> UpgradePlan:
    """The plan's rep ticks an activity of an approved plan."""
    if plan.rep_id != actor.id:
        raise Forbidden(_("only the plan's rep ticks its activities"))
    if not plan.approved:
        raise Conflict(_("the plan is not approved yet"))
    activity = next((a for a in plan.activities if a.id == activity_id), None)
    if activity is None:
        raise NotFound(_("activity not found"))
    if not activity.done:
        activity.done = True
        log_action(actor, "complete", "upgrade_plan", plan.id, after={"activity_id": activity.id})
    db.session.flush()
    return plan


def activities_due(rep_id: int, first: date, last: date) -> list[tuple[UpgradeActivity, UpgradePlan]]:
    """The rep's open activities of approved plans due by `last` (from
    `first`, or earlier and still not done): the week page shows them."""
    rows = db.session.execute(
        select(UpgradeActivity, UpgradePlan).join(UpgradePlan, UpgradePlan.id == UpgradeActivity.plan_id)
        .where(UpgradePlan.rep_id == rep_id, UpgradePlan.approved.is_(True), UpgradeActivity.done.is_(False),
               UpgradeActivity.due_on <= last)
        .options(selectinload(UpgradePlan.doctor))
        .order_by(UpgradeActivity.due_on, UpgradeActivity.id)).all()
    return [(a, p) for a, p in rows]
