"""A proposal's content (SPEC §3): the checks of what a proposal says — its
hospital and department, its start, its people, its budget and the meal cap —
the sizing advice, the form's live preview, and what an edit logs. No
lifecycle here: creating, editing and moving a meeting are in services.py,
which calls these (and from where callers may import them as before)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..auth.models import Role, User
from ..doctors.models import Department, Hospital
from ..doctors.services import visible_hospitals
from ..errors import Advice, ComplianceCapExceeded, InvalidInput, Problems
from ..extensions import db
from ..types import as_aware, money, utcnow
from .scope import sees_meeting_of
from .models import BudgetCategory, BudgetLine, Format, Meeting


def sizing_warnings(*, expected_attendees: int | None, format: Format | None,
                    company_staff: int, meals: Decimal) -> list[str]:
    """SPEC §3 sizing rules: advice shown on the proposal, never an error."""
    warnings = []
    if expected_attendees:
        if not 10 <= expected_attendees <= 20:
            warnings.append(Advice("audience_size", _("%(n)s expected attendees; 10–20 is the sweet spot",
                                                      n=expected_attendees)))
        low, high = (2, 3) if expected_attendees <= 20 else (3, 5)
        if not low <= company_staff <= high:
            warnings.append(Advice("company_staff", _("%(n)s company staff attending; a meeting of this "
                                                      "size needs %(low)s–%(high)s",
                                                      n=company_staff, low=low, high=high)))
    if format == Format.off_site:
        warnings.append(Advice("off_site", _("Off-site meetings draw attention from compliance")))
    if meals and meals > 0:
        warnings.append(Advice("meals", _("Meals draw attention from compliance")))
    return warnings


def company_staff_count(owner_id: int | None, speaker_id: int | None, staff_ids) -> int:
    return len({i for i in (owner_id, speaker_id, *staff_ids) if i is not None})


def preview(actor: User, *, expected_attendees: int | None = None, format: Format | None = None,
            speaker_id: int | None = None, staff_ids=(), budget: dict | None = None,
            owner_id: int | None = None, **_ignored) -> dict:
    """What the proposal form shows while it is being typed: the budget total,
    the sizing warnings and the compliance-cap errors. Nothing is written.
    Lines the form could not parse yet are left out of the figures."""
    lines = [line for line in (budget or {}).get("lines", [])
             if line.get("amount") is not None and line.get("category") is not None]
    total = sum((money(line["amount"]) for line in lines), Decimal("0.00"))
    meals = sum((money(line["amount"]) for line in lines
                 if BudgetCategory(line["category"]) == BudgetCategory.meals), Decimal("0.00"))
    warnings = sizing_warnings(
        expected_attendees=expected_attendees, format=format,
        company_staff=company_staff_count(owner_id or actor.id, speaker_id, staff_ids or ()),
        meals=meals)
    errors = {}
    if expected_attendees:
        try:
            check_meal_cap(meals, expected_attendees)
        except ComplianceCapExceeded as exc:
            errors[exc.field or "_"] = exc.message
    return {"total": total, "warnings": warnings, "errors": errors}


def proposal_hospitals(user: User) -> list[Hospital]:
    """The hospitals this user may propose a meeting at (their province's)."""
    return list(db.session.scalars(select(Hospital).where(Hospital.id.in_(visible_hospitals(user)))
                                   .order_by(Hospital.name, Hospital.id)))


def colleagues(user: User) -> list[User]:
    """Who may be named speaker or company staff on this user's proposals:
    the active users of their province who see its meetings (not another
    rep, SPEC §1) and the regional managers of its region."""
    query = select(User).where(User.active.is_(True))
    if user.role != Role.admin:
        query = query.where(or_((User.province_id == user.province_id)
                                & ((User.role != Role.rep) | (User.id == user.id)),
                                (User.role == Role.regional_manager)
                                & (User.region_id == user.region_id)))
    return list(db.session.scalars(query.order_by(User.role, User.display_name, User.id)))


def meeting_sizing_warnings(meeting: Meeting) -> list[str]:
    """The sizing advice for a saved meeting (the invitees' attendance
    frequency is added by meetings/dossier/warnings.py)."""
    return sizing_warnings(
        expected_attendees=meeting.expected_attendees, format=meeting.format,
        company_staff=company_staff_count(meeting.owner_id, meeting.speaker_id,
                                          [u.id for u in meeting.staff]),
        meals=meeting.spend_on(BudgetCategory.meals))


def check_meal_cap(meals: Decimal, expected_attendees: int, field: str = "budget") -> None:
    """SPEC §3: meal spend per expected attendee may equal the cap, not exceed it."""
    cap = current_app.config["MEAL_CAP_PER_HEAD"]
    if expected_attendees <= 0:
        raise InvalidInput(_("must be at least 1"), field="expected_attendees")
    per_head = (Decimal(meals) / expected_attendees).quantize(Decimal("0.01"))
    if Decimal(meals) > cap * expected_attendees:
        raise ComplianceCapExceeded(
            _("%(per_head)s 元 per expected attendee is over the cap of %(cap)s 元",
              per_head=per_head, cap=cap), field=field, per_head=per_head, cap=cap)


def resolve(data: dict, actor: User, meeting: Meeting | None) -> dict:
    """Check references and derive the province; returns column values."""
    values = dict(data)
    hospital_id = values.get("hospital_id", meeting.hospital_id if meeting else None)
    department_id = values.get("department_id", meeting.department_id if meeting else None)
    problems = Problems()  # every field checked in one pass, reported together
    hospital = db.session.get(Hospital, hospital_id) if hospital_id is not None else None
    if hospital_id is None:
        problems.add("hospital_id", _("required"))
    elif hospital is None:
        problems.add("hospital_id", _("no such hospital (%(id)s)", id=hospital_id))
    elif actor.role != Role.admin and actor.province_id != hospital.province_id:
        problems.add("hospital_id", _("the hospital is not in your province"))
    department = db.session.get(Department, department_id) if department_id is not None else None
    if hospital is not None and (department is None or department.hospital_id != hospital.id):
        problems.add("department_id", _("no such department in this hospital"))
    if hospital is not None:
        values["province_id"] = hospital.province_id
    if "product" in values:
        values["product"] = (values["product"] or "").strip() or None
    if "starts_at" in values:
        values["starts_at"] = as_aware(values["starts_at"])
        if meeting is None or values["starts_at"] != meeting.starts_at:
            with problems.check():
                check_starts_at(values["starts_at"])
    # SPEC §1: speaker and staff are users who may see the meeting, checked
    # whenever either or the meeting's province changes (a moved meeting
    # re-checks the people already on it)
    owner_id = meeting.owner_id if meeting else actor.id
    moved = meeting is not None and hospital is not None and meeting.province_id != hospital.province_id
    speaker_id = values.get("speaker_id", meeting.speaker_id if meeting else None)
    if hospital is not None and speaker_id is not None and ("speaker_id" in values or moved):
        with problems.check():
            _participant(speaker_id, "speaker_id", owner_id, hospital)
    if "staff_ids" in values:
        staff_ids = list(dict.fromkeys(values.pop("staff_ids")))
        if hospital is not None:
            with problems.check():
                values["staff"] = [_participant(uid, "staff_ids", owner_id, hospital) for uid in staff_ids]
    elif moved:
        with problems.check():
            for person in meeting.staff:
                _participant(person.id, "staff_ids", owner_id, hospital)
    if "preconditions" in values:
        values.update(values.pop("preconditions") or {})
    if "budget" in values:
        lines = (values.pop("budget") or {}).get("lines", [])
        for index, line in enumerate(lines):
            if Decimal(line["amount"]) < 0:
                problems.add(f"budget.lines.{index}.amount", _("must not be negative"))
        values["budget_lines"] = [BudgetLine(category=BudgetCategory(line["category"]),
                                             amount=money(line["amount"]), note=line.get("note"))
                                  for line in lines]
    problems.raise_any()
    return values


MAX_DAYS_AHEAD = 366


def check_starts_at(starts_at) -> None:
    """SPEC §3 Dates: a start, when created or moved, is in the future and at
    most 366 days ahead."""
    now = utcnow()
    if starts_at is None:
        raise InvalidInput(_("required"), field="starts_at")
    if starts_at <= now:
        raise InvalidInput(_("the start must be in the future"), field="starts_at")
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(_("at most %(days)s days ahead", days=MAX_DAYS_AHEAD),
                           field="starts_at")


def _participant(user_id: int, field: str, owner_id: int, hospital: Hospital) -> User:
    """A speaker or staff member: an active user who may see the meeting.
    Unknown, inactive and not allowed get the same answer, so the check
    tells nobody which user ids exist."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not sees_meeting_of(
            user, owner_id, hospital.province_id, hospital.province.region_id):
        raise InvalidInput(_("not a user who may take part in this meeting (%(id)s)", id=user_id), field=field)
    return user


def check_content(meeting: Meeting) -> None:
    if meeting.expected_attendees is None or meeting.expected_attendees < 1:
        raise InvalidInput(_("must be at least 1"), field="expected_attendees")
    check_meal_cap(meeting.spend_on(BudgetCategory.meals), meeting.expected_attendees)


AUDITED_FIELDS = ("hospital_id", "department_id", "topic", "purpose", "audience", "format", "venue",
                  "starts_at", "expected_attendees", "speaker_id", "supply_channel_open",
                  "department_head_agreed", "relations_ok")


def audit_view(meeting: Meeting) -> dict:
    """What a draft edit logs (old → new): the meeting's facts and its budget
    (no free text about people)."""
    view = {name: getattr(meeting, name) for name in AUDITED_FIELDS}
    view["staff_ids"] = sorted(u.id for u in meeting.staff)
    view["budget"] = [[line.category.value, str(line.amount)] for line in meeting.budget_lines]
    view["budget_total"] = str(meeting.budget_total)
    return view


def check_fields(actor: User, data: dict, meeting: Meeting | None = None) -> None:
    """The proposal's own checks of the fields given (references, the start),
    for a form that reports them with the fields its schema refused."""
    resolve({key: value for key, value in data.items() if key != "budget"}, actor, meeting)
