"""The meeting lifecycle (SPEC §3): who sees which meetings (visibility and
search), creating and editing a proposal, approval against the pool, cancel,
start/finish/close, and what a user may do now (allowed_actions). What a
proposal's content must be is in proposals/content.py (importable from here
too). Every rule lives once; the web views and the API call these functions,
the request's unit of work commits (meetings/database.py)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, or_, select

from ..auth.models import Role, User
from ..doctors.models import Hospital
from ..actionlog import changes, log_action
from ..errors import (EvidenceMissing, Forbidden, InvalidInput, InvalidTransition, NotFound,
                      PreconditionsMissing, TooEarly)
from ..extensions import db
from ..orgs import services as orgs
from ..orgs.scope import parameter, provinces_in
from ..doctors.services import check_on_move
from ..signals import meeting_created, meeting_transitioned
from ..types import local_date, quarter_of, utcnow
from .models import Meeting, Status
from .labels import status_text
from .scope import meeting_scope
from ..labels import label, listed
from .content import (AUDITED_FIELDS, MAX_DAYS_AHEAD, audit_view, check_content,  # noqa: F401
                      check_fields, check_meal_cap, check_starts_at, colleagues, company_staff_count,
                      meeting_sizing_warnings, preview, proposal_hospitals, resolve, sizing_warnings)

PRECONDITION_FIELDS = ("supply_channel_open", "department_head_agreed", "relations_ok")

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
    """A meeting search: its shape — who asks (the kind of scope), which
    filters are set, the order — and the values to run it with. Its
    statement leaves every parameter (the user's scope, the filters given)
    to those values: SQLAlchemy's compiled cache serves every user's search
    of a shape, and run without the values it fails instead of showing
    anyone's meetings."""
    shape: tuple[str, frozenset, str]
    values: dict

    @property
    def statement(self) -> Select:
        return search_statement(self.shape)


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
    return Search((kind, frozenset(values), order), values)


def search_statement(shape: tuple[str, frozenset, str]) -> Select:
    """The statement of a search's shape (Search), its parameters left to be
    given when it runs."""
    return _search(*shape)


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
    """Who may run the day: the owner, the speaker, or staff of the province
    (a meeting or a row of one)."""
    return (user.id in (meeting.owner_id, meeting.speaker_id)
            or (user.role == Role.staff and user.province_id == meeting.province_id))


# ---------------------------------------------------------------- creating and editing a proposal

def create_meeting(actor: User, **data) -> Meeting:
    if actor.role not in PROPOSERS:
        raise Forbidden(_("only reps and provincial managers propose meetings"))
    values = resolve(data, actor, None)
    meeting = Meeting(owner_id=actor.id, status=Status.draft,
                      checkin_token=secrets.token_urlsafe(24),  # 192 bits (SPEC §5: ≥ 128)
                      **values)
    check_content(meeting)
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
    values = resolve(data, actor, meeting)
    old = audit_view(meeting)
    with db.session.no_autoflush:
        for key, value in values.items():
            setattr(meeting, key, value)
        check_content(meeting)
    db.session.flush()
    before, after = changes(old, audit_view(meeting))
    if after:
        record_transition(meeting, "update", meeting.status, meeting.status, actor, None, before=before,
                          **after)
    return meeting


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
        raise InvalidTransition(_("a %(status)s meeting cannot take the step “%(action)s”",
                                  status=status_text(meeting.status), action=label(action, "action")))
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


def meetings_at(kind: str, object_id: int) -> list[int]:
    """The meetings at a hospital or in a department (any status): what
    moving it would strand (doctors' check_on_move)."""
    column = Meeting.hospital_id if kind == "hospital" else Meeting.department_id
    return list(db.session.scalars(select(Meeting.id).where(column == object_id).order_by(Meeting.id)))


def connect() -> None:
    """Hand the doctors' domain the meeting's refusal of a hospital's or
    department's move (called by the app factory; idempotent)."""
    check_on_move(meetings_at)


def check_on_submit(stage: str, check) -> None:
    """Register `check(meeting)` to run at submit, "before_content" or
    "after_content" (the proposal's own content check). Idempotent."""
    if check not in SUBMIT_CHECKS[stage]:
        SUBMIT_CHECKS[stage].append(check)


def missing_preconditions(meeting: Meeting) -> list[str]:
    """The preconditions (SPEC §3) the meeting does not meet yet, as words."""
    return [label(code, "precondition") for code in PRECONDITION_FIELDS if not getattr(meeting, code)]


def submit(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the owner submits a proposal"))
    if meeting.status != Status.draft:
        raise InvalidTransition(_("a %(status)s meeting cannot be submitted", status=status_text(meeting.status)))
    missing = missing_preconditions(meeting)
    if missing:
        raise PreconditionsMissing(_("not met yet: %(missing)s", missing=listed(missing)),
                                   field="preconditions")
    for check in SUBMIT_CHECKS["before_content"]:  # someone invited, the A/B backups
        check(meeting)
    check_content(meeting)
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
        raise InvalidInput(_("say what the owner should change"), field="comment")
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


# What closing needs (SPEC §12: the receipts, the scan, the photos, the
# speaker's payment, no open compliance flag) is known by the layers above,
# which hand in their checks here (each domain's connect()), the way the
# invitee list hands in its refusals at submit. A check is `gaps(meeting) ->
# {gap: message in words}`, empty when nothing is missing; close runs them
# all and refuses with every gap at once. Registering one is one line:
# `check_on_close(evidence_gaps)`.
CLOSE_CHECKS: list = []


def check_on_close(gaps) -> None:
    """Register `gaps(meeting) -> dict[str, str]`, run when a meeting is closed. Idempotent."""
    if gaps not in CLOSE_CHECKS:
        CLOSE_CHECKS.append(gaps)


def close_gaps(meeting: Meeting) -> dict[str, str]:
    """Every gap that keeps the meeting from closing, from every check (the
    page shows them before the button is pressed)."""
    gaps: dict[str, str] = {}
    for check in CLOSE_CHECKS:
        gaps.update(check(meeting) or {})
    return gaps


def close(actor: User, meeting: Meeting, comment: str | None = None) -> Meeting:
    if not (meeting.owner_id == actor.id or is_provincial_manager_of(actor, meeting)
            or in_region(actor, meeting)):
        raise Forbidden(_("only the owner or a manager closes a meeting"))
    if meeting.status != Status.summarized:
        raise InvalidTransition(_("a %(status)s meeting cannot be closed", status=status_text(meeting.status)))
    gaps = close_gaps(meeting)
    if gaps:
        raise EvidenceMissing(_("the file cannot be closed yet: %(gaps)s", gaps="; ".join(gaps.values())),
                              gaps)
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
