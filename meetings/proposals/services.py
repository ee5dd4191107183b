"""The meeting lifecycle (SPEC §3): proposals, approval against the pool,
cancel, start/finish/close, visibility. Every rule lives here, once; the web
views and the API call these functions and commit."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, or_, select

from ..auth.models import Role, User
from ..doctors.models import Department, Hospital
from ..actionlog import changes, log_action
from ..errors import (ComplianceCapExceeded, Forbidden, InvalidInput, InvalidTransition,
                      NotFound, PreconditionsMissing, TooEarly)
from ..extensions import db
from ..orgs import services as orgs
from ..orgs.scope import parameter, provinces_in, scope_of
from ..doctors.services import visible_hospitals
from ..signals import meeting_created, meeting_transitioned
from ..types import as_aware, local_date, money, quarter_of, utcnow
from .models import BudgetCategory, BudgetLine, Format, Meeting, Status
from .labels import status_text

TRANSITIONS: dict[Status, set[Status]] = {
    Status.draft: {Status.submitted, Status.cancelled},
    Status.submitted: {Status.approved, Status.pending_regional, Status.rejected,
                       Status.draft, Status.cancelled},
    Status.pending_regional: {Status.approved, Status.rejected, Status.draft, Status.cancelled},
    Status.approved: {Status.in_progress, Status.cancelled},
    Status.in_progress: {Status.held},
    Status.held: {Status.summarized},
    Status.summarized: {Status.closed},
}

EDITABLE = {Status.draft}
PROPOSERS = {Role.rep, Role.provincial_manager}


# ---------------------------------------------------------------- visibility

def meeting_scope(user: User) -> tuple[str, dict]:
    """SPEC §1: a rep sees their own meetings; a provincial manager and staff
    their province; a regional manager their region; marketing and admin all.
    As a kind of scope and its values (orgs.scope.scope_of)."""
    if user.role == Role.rep:
        return "own", {"scope_owner_id": user.id}
    return scope_of(user)


def _visible(kind: str, values: dict | None = None) -> Select:
    """The meetings a kind of scope sees, its parameters `values` or left to
    be given when the statement runs (orgs.scope.parameter)."""
    query = select(Meeting)
    if kind == "own":
        return query.where(Meeting.owner_id == parameter("scope_owner_id", values))
    in_scope = provinces_in(kind, Meeting.province_id, values)
    return query if in_scope is None else query.where(in_scope)


def visible_meetings(user: User) -> Select:
    """The meetings `user` sees (meeting_scope), as a select to narrow."""
    kind, values = meeting_scope(user)
    return _visible(kind, values)


class Search(NamedTuple):
    """A meeting search as a statement built once per shape — who asks (the
    kind of scope), which filters are set, the order — and the values to run
    it with. Building the select and its cache key on every request cost a
    list page more than running it."""
    statement: Select
    values: dict


FILTERS = ("status", "province_id", "from_", "to", "q")
# Orders of the list: by start; newest first; or what is relevant now —
# upcoming meetings soonest first, then past ones most recent first.
ORDERS = ("start", "newest", "relevant")

# What the list's search (`q`) matches besides the topic and the hospital: a
# domain above the meeting hands in a condition on Meeting for the search's
# LIKE pattern (invitees: a doctor on the list). Registered once by connect().
SEARCH_TERMS: list = []


def search_on(term) -> None:
    """Register `term(pattern)` → a condition on Meeting for the search. Idempotent."""
    if term not in SEARCH_TERMS:
        SEARCH_TERMS.append(term)


def like_pattern(text: str) -> str:
    """`text` as a LIKE pattern that matches it anywhere, its % _ \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _terms(user: User, status, province_id, from_, to, q=None, order: str = "start") -> tuple[str, dict]:
    """The kind of scope and the values of a search: the scope's and each
    filter given (the filters' names say which are set)."""
    kind, values = meeting_scope(user)
    q = (q or "").strip() or None
    given = {f"filter_{name}": value for name, value in zip(FILTERS, (status, province_id, from_, to,
                                                                      q and like_pattern(q)))
             if value is not None}
    if order == "relevant":
        given["order_now"] = utcnow()
    return kind, {**values, **given}


def _order(newest_first: bool, order: str | None) -> str:
    if order is not None:
        if order not in ORDERS:
            raise InvalidInput(_("The order is one of start, newest or relevant."), field="order")
        return order
    return "newest" if newest_first else "start"


def meeting_search(user: User, *, status: Status | None = None, province_id: int | None = None,
                   from_: datetime | None = None, to: datetime | None = None, q: str | None = None,
                   newest_first: bool = False, order: str | None = None) -> Search:
    """The meeting list within the user's visibility, with the list's filters:
    one search for the API, the pages and the exports (search_meetings)."""
    order = _order(newest_first, order)
    kind, values = _terms(user, status, province_id, from_, to, q, order)
    return Search(_search_shape(kind, frozenset(values), order), values)


def _search(kind: str, given, order: str, values: dict | None = None) -> Select:
    """The search for a kind of scope and the filters named in `given`,
    its parameters `values` or left to be given when it runs."""
    query = _visible(kind, values)
    for name, condition in (("filter_status", lambda p: Meeting.status == p),
                            ("filter_province_id", lambda p: Meeting.province_id == p),
                            ("filter_from_", lambda p: Meeting.starts_at >= p),
                            ("filter_to", lambda p: Meeting.starts_at <= p),
                            ("filter_q", _matches)):
        if name in given:
            query = query.where(condition(parameter(name, values)))
    if order == "newest":
        return query.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    if order == "relevant":
        now = parameter("order_now", values)
        upcoming = Meeting.starts_at >= now
        return query.order_by(case((upcoming, 0), else_=1), case((upcoming, Meeting.starts_at)),
                              Meeting.starts_at.desc(), Meeting.id.desc())
    return query.order_by(Meeting.starts_at, Meeting.id)


def _matches(pattern):
    """The search `q`: the topic, the hospital's name, or what a higher domain
    registered (a doctor invited), each containing the text."""
    hospitals = select(Hospital.id).where(Hospital.name.ilike(pattern, escape="\\"))
    return or_(Meeting.topic.ilike(pattern, escape="\\"), Meeting.hospital_id.in_(hospitals),
               *(term(pattern) for term in SEARCH_TERMS))


@cache
def _search_shape(kind: str, given: frozenset, order: str) -> Select:
    return _search(kind, given, order)


def search_meetings(user: User, *, status: Status | None = None, province_id: int | None = None,
                    from_: datetime | None = None, to: datetime | None = None, q: str | None = None,
                    newest_first: bool = False, order: str | None = None) -> Select:
    """The same search as a select with its values bound in, to page,
    narrow, count or combine like any other: built for the call, its
    parameters unique, so two searches in one statement (held or approved,
    one user's and another's) keep their own values."""
    order = _order(newest_first, order)
    kind, values = _terms(user, status, province_id, from_, to, q, order)
    return _search(kind, values, order, values)


def get_meeting(user: User, meeting_id: int, *, for_update: bool = False) -> Meeting:
    """404 for a meeting the user may not see: its existence is not disclosed."""
    query = visible_meetings(user).where(Meeting.id == meeting_id)
    if for_update:
        # Row lock on PostgreSQL; on SQLite every write transaction is
        # already exclusive (BEGIN IMMEDIATE, see meetings/database.py).
        query = query.with_for_update(of=Meeting)
    meeting = db.session.scalar(query)
    if meeting is None:
        raise NotFound(_("meeting not found"))
    return meeting


def in_region(user: User, meeting: Meeting) -> bool:
    return user.role == Role.regional_manager and meeting.province.region_id == user.region_id


def is_provincial_manager_of(user: User, meeting: Meeting) -> bool:
    return user.role == Role.provincial_manager and user.province_id == meeting.province_id


def runs_meeting(user: User, meeting: Meeting) -> bool:
    """Who may run the day: the owner, the speaker, or staff of the province."""
    return runner(user)(meeting)


def runner(user: User):
    """runs_meeting(user, ·) for a page of meetings (or rows of them): the
    user's attributes read once, not once a meeting."""
    user_id = user.id
    staff_province = user.province_id if user.role == Role.staff else None
    return lambda meeting: (user_id in (meeting.owner_id, meeting.speaker_id)
                            or (staff_province is not None and staff_province == meeting.province_id))


# ---------------------------------------------------------------- proposal content

def sizing_warnings(*, expected_attendees: int | None, format: Format | None,
                    company_staff: int, meals: Decimal) -> list[str]:
    """SPEC §3 sizing rules: advice shown on the proposal, never an error."""
    warnings = []
    if expected_attendees:
        if not 10 <= expected_attendees <= 20:
            warnings.append(_("audience_size: %(n)s expected attendees; 10–20 is the sweet spot",
                              n=expected_attendees))
        low, high = (2, 3) if expected_attendees <= 20 else (3, 5)
        if not low <= company_staff <= high:
            warnings.append(_("company_staff: %(n)s company staff attending; a meeting of this size "
                              "needs %(low)s–%(high)s", n=company_staff, low=low, high=high))
    if format == Format.off_site:
        warnings.append(_("off_site: off-site meetings draw attention from compliance"))
    if meals and meals > 0:
        warnings.append(_("meals: meals draw attention from compliance"))
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
    the active users of their province and the regional managers of its region."""
    query = select(User).where(User.active.is_(True))
    if user.role != Role.admin:
        query = query.where(or_(User.province_id == user.province_id,
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
        raise InvalidInput(_("expected_attendees: must be at least 1"), field="expected_attendees")
    per_head = (Decimal(meals) / expected_attendees).quantize(Decimal("0.01"))
    if Decimal(meals) > cap * expected_attendees:
        raise ComplianceCapExceeded(
            _("meals: %(per_head)s 元 per expected attendee is over the cap of %(cap)s 元",
              per_head=per_head, cap=cap), field=field, per_head=per_head, cap=cap)


def _resolve(data: dict, actor: User, meeting: Meeting | None) -> dict:
    """Check references and derive the province; returns column values."""
    values = dict(data)
    hospital_id = values.get("hospital_id", meeting.hospital_id if meeting else None)
    department_id = values.get("department_id", meeting.department_id if meeting else None)
    hospital = db.session.get(Hospital, hospital_id) if hospital_id is not None else None
    if hospital is None:
        raise InvalidInput(_("hospital_id: no such hospital (%(id)s)", id=hospital_id), field="hospital_id")
    if actor.role != Role.admin and actor.province_id != hospital.province_id:
        raise InvalidInput(_("hospital_id: the hospital is not in your province"), field="hospital_id")
    department = db.session.get(Department, department_id) if department_id is not None else None
    if department is None or department.hospital_id != hospital.id:
        raise InvalidInput(_("department_id: no such department in this hospital"), field="department_id")
    values["province_id"] = hospital.province_id
    if "product" in values:
        values["product"] = (values["product"] or "").strip() or None
    if "starts_at" in values:
        values["starts_at"] = as_aware(values["starts_at"])
        if meeting is None or values["starts_at"] != meeting.starts_at:
            check_starts_at(values["starts_at"])
    if values.get("speaker_id") is not None:
        _active_user(values["speaker_id"], "speaker_id")
    if "staff_ids" in values:
        values["staff"] = [_active_user(uid, "staff_ids") for uid in dict.fromkeys(values.pop("staff_ids"))]
    if "preconditions" in values:
        values.update(values.pop("preconditions") or {})
    if "budget" in values:
        lines = (values.pop("budget") or {}).get("lines", [])
        for index, line in enumerate(lines):
            if Decimal(line["amount"]) < 0:
                raise InvalidInput(_("budget.lines.%(i)s.amount: must not be negative", i=index),
                                   field=f"budget.lines.{index}.amount")
        values["budget_lines"] = [BudgetLine(category=BudgetCategory(l["category"]),
                                             amount=money(l["amount"]), note=l.get("note"))
                                  for l in lines]
    return values


MAX_DAYS_AHEAD = 366


def check_starts_at(starts_at) -> None:
    """SPEC §3 Dates: a start, when created or moved, is in the future and at
    most 366 days ahead."""
    now = utcnow()
    if starts_at is None:
        raise InvalidInput(_("starts_at: required"), field="starts_at")
    if starts_at <= now:
        raise InvalidInput(_("starts_at: the start must be in the future"), field="starts_at")
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(_("starts_at: at most %(days)s days ahead", days=MAX_DAYS_AHEAD),
                           field="starts_at")


def _active_user(user_id: int, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput(_("%(field)s: no such user (%(id)s)", field=field, id=user_id), field=field)
    return user


def _check_content(meeting: Meeting) -> None:
    if meeting.expected_attendees is None or meeting.expected_attendees < 1:
        raise InvalidInput(_("expected_attendees: must be at least 1"), field="expected_attendees")
    check_meal_cap(meeting.spend_on(BudgetCategory.meals), meeting.expected_attendees)


def create_meeting(actor: User, **data) -> Meeting:
    if actor.role not in PROPOSERS:
        raise Forbidden(_("only reps and provincial managers propose meetings"))
    values = _resolve(data, actor, None)
    meeting = Meeting(owner_id=actor.id, status=Status.draft,
                      checkin_token=secrets.token_urlsafe(24),  # 192 bits (SPEC §5: ≥ 128)
                      **values)
    _check_content(meeting)
    db.session.add(meeting)
    db.session.flush()
    record_transition(meeting, "create", Status.draft, Status.draft, actor, None)
    meeting_created.send(meeting, actor=actor)  # the agenda prepares its defaults (SPEC §6)
    return meeting


def update_meeting(actor: User, meeting: Meeting, **data) -> Meeting:
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the owner edits a proposal"))
    if meeting.status not in EDITABLE:
        raise InvalidTransition(_("a %(status)s meeting cannot be edited; only drafts and returned "
                                  "proposals can", status=status_text(meeting.status)))
    values = _resolve(data, actor, meeting)
    old = audit_view(meeting)
    with db.session.no_autoflush:
        for key, value in values.items():
            setattr(meeting, key, value)
        _check_content(meeting)
    db.session.flush()
    before, after = changes(old, audit_view(meeting))
    if after:
        record_transition(meeting, "update", meeting.status, meeting.status, actor, None, before=before,
                          **after)
    return meeting


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


# ---------------------------------------------------------------- transitions

def record_transition(meeting, action, from_status, to_status, actor, comment,
                      before: dict | None = None, **after) -> None:
    """The one way a line is written into a meeting's history: an entry of the
    action log about the meeting — its status before and after, the comment,
    and old → new values (ids and non-personal values only, SPEC §11)."""
    after = {"status": to_status, **after}
    if comment:
        after["comment"] = comment
    log_action(actor, action, "meeting", meeting.id, before={"status": from_status, **(before or {})},
               after=after)
    if "history" in meeting.__dict__:
        db.session.expire(meeting, ["history"])  # read again, with this entry


def note_in_history(meeting: Meeting, action: str, actor: User, comment: str) -> None:
    """An event on the meeting that is not a transition (a voided check-in):
    shown in its history, the status unchanged."""
    record_transition(meeting, action, meeting.status, meeting.status, actor, comment)


def move(meeting: Meeting, to: Status, actor: User, action: str, comment: str | None = None,
         **after) -> None:
    """Change the meeting's status along TRANSITIONS, recorded in its history;
    then tell whoever reacts (meetings/signals.py: follow-ups on `held`)."""
    if to not in TRANSITIONS.get(meeting.status, set()):
        raise InvalidTransition(_("a %(status)s meeting cannot be %(action)s",
                                  status=status_text(meeting.status), action=action))
    from_status = meeting.status
    record_transition(meeting, action, from_status, to, actor, comment, **after)
    meeting.status = to
    db.session.flush()
    meeting_transitioned.send(meeting, action=action, actor=actor, from_status=from_status,
                              to_status=to)


# Refusals at submit that need the invitee list (someone invited, the A/B
# backups, the annual cap per doctor). The invitees' package sits above the
# meeting, so it hands its checks in here (meetings/invitees/services.py
# connect()), in this order; each is called directly and refuses by raising.
# Not a signal: a refusal must not depend on who happens to listen.
SUBMIT_CHECKS: dict[str, list] = {"before_content": [], "after_content": []}


def check_on_submit(stage: str, check) -> None:
    """Register `check(meeting)` to run at submit, "before_content" or
    "after_content" (the proposal's own content check). Idempotent."""
    if check not in SUBMIT_CHECKS[stage]:
        SUBMIT_CHECKS[stage].append(check)


def missing_preconditions(meeting: Meeting) -> list[str]:
    missing = []
    if not meeting.supply_channel_open:
        missing.append(_("supply_channel_open (the drug can be had in the pharmacy)"))
    if not meeting.department_head_agreed:
        missing.append(_("department_head_agreed (the department head has agreed)"))
    if not meeting.relations_ok:
        missing.append(_("relations_ok (working relations with an outpatient and an inpatient "
                         "doctor at associate-chief level or above)"))
    return missing


def submit(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the owner submits a proposal"))
    if meeting.status != Status.draft:
        raise InvalidTransition(_("a %(status)s meeting cannot be submitted", status=status_text(meeting.status)))
    missing = missing_preconditions(meeting)
    if missing:
        raise PreconditionsMissing(_("preconditions not met: %(missing)s", missing="; ".join(missing)),
                                   field="preconditions")
    for check in SUBMIT_CHECKS["before_content"]:  # someone invited, the A/B backups
        check(meeting)
    _check_content(meeting)
    for check in SUBMIT_CHECKS["after_content"]:  # the annual cap per doctor
        check(meeting)
    move(meeting, Status.submitted, actor, "submit", comment)
    return meeting


def budget_period(meeting: Meeting) -> str:
    return quarter_of(local_date(meeting.starts_at))


def approve(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    """A provincial manager approves within the province's limit; above it, or
    their own proposal, it goes on to the region. Final approval draws the
    total from the quarter's pool, or is refused and nothing changes."""
    if not (is_provincial_manager_of(actor, meeting) or in_region(actor, meeting)):
        raise Forbidden(_("only the province's provincial manager or the region's regional manager approves"))
    if meeting.status not in (Status.submitted, Status.pending_regional):
        raise InvalidTransition(_("a %(status)s meeting cannot be approved", status=status_text(meeting.status)))
    if meeting.owner_id == actor.id and actor.role == Role.regional_manager:
        raise Forbidden(_("nobody approves their own proposal"))
    if actor.role == Role.provincial_manager:
        if meeting.status == Status.pending_regional:
            raise Forbidden(_("this proposal awaits the regional manager"))
        if meeting.owner_id == actor.id or meeting.budget_total > meeting.province.approval_limit:
            move(meeting, Status.pending_regional, actor, "approve", comment)
            return meeting
    pool = orgs.draw(meeting.province_id, budget_period(meeting), meeting.budget_total,
                     actor=actor, meeting_id=meeting.id)
    meeting.drawn_amount, meeting.drawn_pool_id = meeting.budget_total, pool.id
    move(meeting, Status.approved, actor, "approve", comment)
    return meeting


def _may_decide(actor: User, meeting: Meeting) -> bool:
    if meeting.owner_id == actor.id:
        return False
    if meeting.status == Status.pending_regional:
        return in_region(actor, meeting)
    return is_provincial_manager_of(actor, meeting) or in_region(actor, meeting)


def reject(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if meeting.status not in (Status.submitted, Status.pending_regional):
        raise InvalidTransition(_("a %(status)s meeting cannot be rejected", status=status_text(meeting.status)))
    if not _may_decide(actor, meeting):
        raise Forbidden(_("you may not decide on this proposal"))
    move(meeting, Status.rejected, actor, "reject", comment)
    return meeting


def return_(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    """Back to the owner as a draft, with the comment saying what to change."""
    if meeting.status not in (Status.submitted, Status.pending_regional):
        raise InvalidTransition(_("a %(status)s meeting cannot be returned", status=status_text(meeting.status)))
    if not _may_decide(actor, meeting):
        raise Forbidden(_("you may not decide on this proposal"))
    if not (comment and comment.strip()):
        raise InvalidInput(_("comment: say what the owner should change"), field="comment")
    move(meeting, Status.draft, actor, "return", comment)
    return meeting


def cancel(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if not (meeting.owner_id == actor.id or is_provincial_manager_of(actor, meeting)
            or in_region(actor, meeting)):
        raise Forbidden(_("only the owner or a manager cancels a meeting"))
    was_approved = meeting.status == Status.approved
    move(meeting, Status.cancelled, actor, "cancel", comment)
    if was_approved and meeting.drawn_pool_id is not None:
        orgs.refund(meeting.drawn_pool_id, meeting.drawn_amount, actor=actor, meeting_id=meeting.id)
        meeting.drawn_amount = None
    return meeting


def start(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff run the meeting"))
    if meeting.status != Status.approved:
        raise InvalidTransition(_("a %(status)s meeting cannot be started", status=status_text(meeting.status)))
    earliest = meeting.starts_at - timedelta(hours=current_app.config["START_EARLIEST_HOURS"])
    if utcnow() < earliest:
        raise TooEarly(_("the meeting can be started from %(hours)s hours before its start",
                         hours=current_app.config["START_EARLIEST_HOURS"]))
    move(meeting, Status.in_progress, actor, "start", comment)  # the agenda records the checklist
    return meeting


def finish(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff run the meeting"))
    move(meeting, Status.held, actor, "finish", comment)  # follow-ups are scheduled on `held`
    return meeting


def close(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if not (meeting.owner_id == actor.id or is_provincial_manager_of(actor, meeting)
            or in_region(actor, meeting)):
        raise Forbidden(_("only the owner or a manager closes a meeting"))
    move(meeting, Status.closed, actor, "close", comment)
    return meeting


ACTIONS = {
    "submit": submit, "approve": approve, "reject": reject, "return": return_,
    "cancel": cancel, "start": start, "finish": finish, "close": close,
}


def perform(actor: User, meeting_id: int, action: str, comment: str | None = None) -> Meeting:
    """Load the meeting under a row lock and run one lifecycle action."""
    meeting = get_meeting(actor, meeting_id, for_update=True)
    return ACTIONS[action](actor, meeting, comment)


def can_edit(user: User, meeting: Meeting) -> bool:
    return meeting.owner_id == user.id and meeting.status in EDITABLE


def allowed_actions(user: User, meeting: Meeting) -> list[str]:
    """The lifecycle actions to offer this user on this meeting in its state:
    the same who-and-when checks as the actions above. The action itself still
    checks the rest (preconditions, backups, the pool, the clock) when it runs."""
    status, owner = meeting.status, meeting.owner_id == user.id
    manager = is_provincial_manager_of(user, meeting) or in_region(user, meeting)
    may = {
        "submit": owner and status == Status.draft,
        "approve": (status == Status.submitted and is_provincial_manager_of(user, meeting))
                   or (status in (Status.submitted, Status.pending_regional)
                       and in_region(user, meeting) and not owner),
        "return": status in (Status.submitted, Status.pending_regional) and _may_decide(user, meeting),
        "reject": status in (Status.submitted, Status.pending_regional) and _may_decide(user, meeting),
        "cancel": Status.cancelled in TRANSITIONS.get(status, set()) and (owner or manager),
        "start": status == Status.approved and runs_meeting(user, meeting),
        "finish": status == Status.in_progress and runs_meeting(user, meeting),
        "close": status == Status.summarized and (owner or manager),
    }
    return [action for action in ACTIONS if may[action]]


def approval_inbox(user: User) -> Select:
    """What waits for this user's decision."""
    if user.role == Role.provincial_manager:
        return (visible_meetings(user).where(Meeting.status == Status.submitted)
                .order_by(Meeting.starts_at))
    if user.role == Role.regional_manager:
        return (visible_meetings(user)
                .where(or_(Meeting.status == Status.pending_regional, Meeting.status == Status.submitted))
                .where(Meeting.owner_id != user.id).order_by(Meeting.starts_at))
    return select(Meeting).where(False)
