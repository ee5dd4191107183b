"""Follow-up tasks (SPEC §8): the week of visits after a meeting, the relay of
marketing's answers, completing a task with its outcome, overdue tasks and
their escalation, and the day-before reminder.

Exactly once is the database's job: tasks are inserted with
INSERT … ON CONFLICT DO NOTHING on FollowUp's natural key (meeting, subject,
kind); notifications on (user, key). A rerun, or a second process, inserts
nothing new. `Meeting.followups_scheduled_at` only makes a rerun cheap."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import (Date, Select, case, cast, delete, func, literal, literal_column, or_, select, text,
                        update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..actionlog import log_action
from ..auth.models import Role, User
from ..checkin.models import CheckIn
from ..checkin.services import counted_checkins
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Problems
from ..database import commit_job_batch, dialect_insert
from ..extensions import db
from ..invitees.models import Invitee
from ..invitees.services import expected_clause
from ..labels import label, listed
from ..orgs.scope import provinces_for
from ..proposals.models import Meeting, Status
from ..questions.models import Question, QuestionSource, QuestionStatus
from ..signals import (checkin_recorded, checkin_voided, meeting_transitioned, question_answered,
                       question_asked)
from ..types import UTCDateTime, local_date, to_local, utcnow
from .models import FollowUp, FollowUpKind, FollowUpStatus, Outcome, subject_clause, subject_key

RELAY_WITHIN = timedelta(days=7)
# 第二天开始, 一周内完成: due from the day after the meeting, done within the week.
STARTS_AFTER = timedelta(days=1)
DUE_WITHIN = timedelta(days=7)
NOTES_MAX = 5000
QUESTION_MAX = 2000


def today() -> date:
    """Today in the configured zone: due dates and overdue are local dates."""
    return local_date(utcnow())


# ---------------------------------------------------------------- answer relays

def create_answer_relay(question) -> FollowUp:
    """The meeting's owner takes the answer back to the doctor who asked:
    due from the answer's (local) date, within a week. Exactly once per
    question and answer: an answer given again after the doctor was not
    convinced (SPEC §15) is a new task."""
    subject = subject_key(question.doctor_id, None, question.id, question.answer_round)
    existing = select(FollowUp).where(FollowUp.meeting_id == question.meeting_id, FollowUp.subject == subject,
                                      FollowUp.kind == FollowUpKind.answer_relay)
    day = local_date(question.answered_at)
    task = FollowUp(meeting_id=question.meeting_id, doctor_id=question.doctor_id, subject=subject,
                    question_id=question.id, assignee_id=question.meeting.owner_id,
                    kind=FollowUpKind.answer_relay, not_before=day, due_on=day + RELAY_WITHIN,
                    status=FollowUpStatus.open)
    try:
        with db.session.begin_nested():
            db.session.add(task)
    except IntegrityError:
        return db.session.scalar(existing)
    return task


# ---------------------------------------------------------------- scheduling

def _held_statuses():
    return (Status.held, Status.summarized, Status.closed)


def _local_day_plus(offset_minutes: int, days: timedelta):
    """The meeting's local start date plus `days`, in SQL, for meetings
    whose start lies `offset_minutes` from UTC in TIMEZONE (starts_at is
    stored as naive UTC)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(Meeting.starts_at, f"{offset_minutes:+d} minutes", f"+{days.days} days")
    shifted = Meeting.starts_at.op("+")(text(f"interval '{offset_minutes:d} minutes'"))
    return cast(shifted, Date).op("+")(literal_column(str(days.days)))


def _task_values(kind: FollowUpKind, offset_minutes: int, now):
    """The columns every scheduled task shares, for an INSERT … SELECT from
    meetings `offset_minutes` from UTC: from the day after the local start
    date, due within the week."""
    return dict(kind=literal(kind, FollowUp.kind.type),
                not_before=_local_day_plus(offset_minutes, STARTS_AFTER),
                due_on=_local_day_plus(offset_minutes, DUE_WITHIN),
                status=literal(FollowUpStatus.open, FollowUp.status.type),
                created_at=literal(now, UTCDateTime()))


def _utc_offset_minutes(starts_at) -> int:
    """TIMEZONE's offset at the meeting's start (two values a year where
    the zone keeps summer time): meetings are grouped by it, not by date."""
    return int(to_local(starts_at).utcoffset().total_seconds() // 60)


def _insert_tasks(columns: dict) -> int:
    """INSERT INTO followups (…) SELECT … ON CONFLICT (meeting, subject,
    kind) DO NOTHING: what exists stays, a rerun or a second process adds
    nothing. Returns how many rows were new."""
    source = columns.pop("_from")
    query = select(*[value.label(name) for name, value in columns.items()]).select_from(source[0])
    query = query.where(*source[1:])
    statement = (dialect_insert(FollowUp).from_select(list(columns), query)
                 .on_conflict_do_nothing(index_elements=["meeting_id", "subject", "kind"])
                 .returning(FollowUp.id))  # counted: rowcount is -1 here on psycopg
    return len(db.session.execute(statement).all())


def _present(meeting_id_column):
    """The (not voided) check-in of the doctor in `meeting_id_column`'s meeting."""
    return select(CheckIn.id).where(CheckIn.meeting_id == meeting_id_column, counted_checkins())


def _schedule(meetings_at: dict[int, list[int]]) -> int:
    """Schedule the held meetings `meetings_at[UTC offset of their start in
    TIMEZONE, minutes]` at once:
    a visit per check-in (a walk-in without a doctor record by name), a gift
    delivery per expected invitee (primaries not declined — promoted backups
    are primaries) without a check-in, and no open gift delivery for anyone
    who turned up late. Three statements per offset (one, or two across a
    summer-time change), whatever the number of meetings. The caller holds the meetings' row
    locks and commits."""
    now = utcnow()
    created = 0
    for offset, ids in meetings_at.items():
        walk_in = case((CheckIn.doctor_id.is_(None), func.coalesce(CheckIn.name, "")))
        created += _insert_tasks(dict(
            _from=(CheckIn.__table__.join(Meeting.__table__, Meeting.id == CheckIn.meeting_id),
                   CheckIn.meeting_id.in_(ids), counted_checkins()),  # a voided check-in gets no visit
            meeting_id=CheckIn.meeting_id, doctor_id=CheckIn.doctor_id, walk_in_name=walk_in,
            subject=subject_clause(CheckIn.doctor_id, CheckIn.name), assignee_id=Meeting.owner_id,
            **_task_values(FollowUpKind.visit, offset, now)))
        came = _present(Invitee.meeting_id).where(CheckIn.doctor_id == Invitee.doctor_id)
        created += _insert_tasks(dict(
            _from=(Invitee.__table__.join(Meeting.__table__, Meeting.id == Invitee.meeting_id),
                   Invitee.meeting_id.in_(ids), expected_clause(), ~came.exists()),
            meeting_id=Invitee.meeting_id, doctor_id=Invitee.doctor_id,
            subject=subject_clause(Invitee.doctor_id, None), assignee_id=Meeting.owner_id,
            **_task_values(FollowUpKind.gift_delivery, offset, now)))
        # they came after all (a sheet typed in late): a visit, not a gift
        came = _present(FollowUp.meeting_id).where(CheckIn.doctor_id == FollowUp.doctor_id)
        db.session.execute(delete(FollowUp).where(
            FollowUp.meeting_id.in_(ids), FollowUp.kind == FollowUpKind.gift_delivery,
            FollowUp.status == FollowUpStatus.open, came.exists())
            .execution_options(synchronize_session=False))
    return created


def schedule_for_meeting(meeting) -> int:
    """Create the week of follow-up tasks of a held (or later) meeting: a visit
    per person present — a walk-in without a doctor record too — and a gift
    delivery per invited doctor who did not come (the expected list: primaries
    not declined, promoted backups included). All go to the meeting's owner,
    from the day after the meeting's local start date, due within the week.

    Returns how many tasks were new. Safe to call again: existing tasks are
    left alone; a doctor a late (paper) check-in shows present loses the open
    gift delivery and gets a visit. The caller holds the meeting's row lock
    (finish, or the job) and commits."""
    if meeting.status not in _held_statuses():
        return 0
    db.session.flush()  # the check-ins and invitees of this request, for the INSERT … SELECT
    created = _schedule({_utc_offset_minutes(meeting.starts_at): [meeting.id]})
    meeting.followups_scheduled_at = utcnow()
    db.session.flush()
    return created


def meetings_to_schedule() -> Select:
    """Held (or later) meetings whose tasks were never scheduled, or need a
    rescan after a late check-in (which clears the mark)."""
    return (select(Meeting.id, Meeting.starts_at).where(Meeting.status.in_(_held_statuses()),
                                                        Meeting.followups_scheduled_at.is_(None))
            .order_by(Meeting.id))


def schedule_pending(batch: int = 2000, after_each: Callable[[int], None] | None = None) -> dict:
    """The schedule_followups job: `batch` meetings per transaction — locked,
    scheduled with a few INSERT … SELECT statements, marked, committed — so a
    process killed half way keeps the batches it committed and a rerun
    finishes the rest. Batches go up the meeting ids, so a meeting a
    check-in unmarks behind the run waits for the next run instead of
    keeping this one going. `after_each(last meeting id)` runs after each
    commit (tests use it to stop a run half way)."""
    meetings = created = 0
    last = 0
    while True:
        # the row locks: a check-in on one of these meetings (which unmarks
        # it, an UPDATE) waits for this batch, or this batch waits for it and sees it
        rows = db.session.execute(meetings_to_schedule().where(Meeting.id > last).limit(batch)
                                  .with_for_update(of=Meeting)).all()
        if not rows:
            commit_job_batch()
            break
        meetings_at: dict[int, list[int]] = defaultdict(list)
        for meeting_id, starts_at in rows:
            meetings_at[_utc_offset_minutes(starts_at)].append(meeting_id)
        ids = [meeting_id for meeting_id, _ in rows]
        created += _schedule(meetings_at)
        db.session.execute(update(Meeting).where(Meeting.id.in_(ids))
                           .values(followups_scheduled_at=utcnow())
                           .execution_options(synchronize_session=False))
        commit_job_batch()
        meetings += len(ids)
        last = ids[-1]
        if after_each is not None:
            after_each(last)
    return {"meetings": meetings, "tasks": created}


def withdraw_visit(meeting, doctor_id: int | None, walk_in_name: str | None) -> None:
    """A voided check-in (SPEC §5) creates no follow-up: the open visit task
    it caused, if any, is withdrawn."""
    db.session.execute(delete(FollowUp).where(
        FollowUp.meeting_id == meeting.id, FollowUp.kind == FollowUpKind.visit,
        FollowUp.status == FollowUpStatus.open,
        FollowUp.subject == subject_key(doctor_id, walk_in_name, None)))


def rescan_after_checkin(meeting) -> None:
    """A check-in recorded on a held meeting (a paper sheet typed in later, an
    offline queue uploaded): clear the mark so the job schedules that person
    too. Always an UPDATE, so it takes the meeting's row lock: a job
    scheduling this meeting at the same moment either sees the check-in or
    runs before it and is undone by this."""
    if meeting.status in _held_statuses():
        db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                           .values(followups_scheduled_at=None))


# ---------------------------------------------------------------- reading

def visible_followups(user: User) -> Select:
    """A rep (and anyone else) sees the tasks assigned to them; a provincial
    manager their province's; a regional manager their region's; admin and
    marketing all."""
    query = select(FollowUp)
    if user.role in (Role.admin, Role.marketing):
        return query
    mine = FollowUp.assignee_id == user.id
    if user.role not in (Role.provincial_manager, Role.regional_manager):
        return query.where(mine)
    in_scope = select(Meeting.id).where(provinces_for(user, Meeting.province_id))
    return query.where(or_(mine, FollowUp.meeting_id.in_(in_scope)))


def overdue_clause(day: date | None = None):
    return (FollowUp.status == FollowUpStatus.open) & (FollowUp.due_on < (day or today()))


def task_loading() -> tuple:
    """What a task shows in a list (person, meeting, assignee, its
    questions), loaded for all listed tasks at once. (A function: loader
    options configure the mappers, which must wait until every model is
    imported.)"""
    return (selectinload(FollowUp.doctor), selectinload(FollowUp.assignee),
            selectinload(FollowUp.meeting).selectinload(Meeting.hospital),
            selectinload(FollowUp.question), selectinload(FollowUp.raised_question))


def list_followups(user: User, *, assignee_id: int | None = None, status: str | None = None,
                   meeting_id: int | None = None) -> Select:
    """`status`: open, done, or overdue (open and past due, a local date)."""
    query = visible_followups(user)
    if assignee_id is not None:
        query = query.where(FollowUp.assignee_id == assignee_id)
    if meeting_id is not None:
        query = query.where(FollowUp.meeting_id == meeting_id)
    if status == "overdue":
        query = query.where(overdue_clause())
    elif status is not None:
        query = query.where(FollowUp.status == FollowUpStatus(status))
    return query.order_by(FollowUp.due_on, FollowUp.id).options(*task_loading())


def get_followup(user: User, followup_id: int, *, for_update: bool = False) -> FollowUp:
    """404 for a task the user may not see."""
    query = visible_followups(user).where(FollowUp.id == followup_id)
    if for_update:
        query = query.with_for_update(of=FollowUp)
    task = db.session.scalar(query)
    if task is None:
        raise NotFound(_("follow-up not found"))
    return task


def is_overdue(task: FollowUp, day: date | None = None) -> bool:
    return task.status == FollowUpStatus.open and task.due_on < (day or today())


def person_name(task: FollowUp) -> str:
    if task.doctor is not None:
        return task.doctor.name
    return task.walk_in_name or ""


def groups(tasks: list[FollowUp], day: date | None = None) -> dict[str, list[FollowUp]]:
    """The rep's list: overdue, due today, this week, later, done. "Due today"
    means the last day; "this week" due within the next 7 days."""
    day = day or today()
    out: dict[str, list[FollowUp]] = {"overdue": [], "today": [], "week": [], "later": [], "done": []}
    for task in tasks:
        if task.status == FollowUpStatus.done:
            out["done"].append(task)
        elif task.due_on < day:
            out["overdue"].append(task)
        elif task.due_on == day:
            out["today"].append(task)
        elif task.due_on <= day + timedelta(days=7):
            out["week"].append(task)
        else:
            out["later"].append(task)
    out["done"].sort(key=lambda t: (t.completed_at or t.created_at), reverse=True)
    return out


# ---------------------------------------------------------------- completing

ASKS_RESOLVED = (FollowUpKind.visit, FollowUpKind.answer_relay)


def questions_to_resolve(task: FollowUp) -> list[Question]:
    """SPEC §15: the doctor's questions marketing answered, from meetings of
    the task's assignee, not yet marked resolved — asked about, one by one,
    when a visit or an answer relay to that doctor is completed."""
    if task.kind not in ASKS_RESOLVED or task.doctor_id is None:
        return []
    return list(db.session.scalars(
        select(Question).join(Meeting, Meeting.id == Question.meeting_id)
        .where(Question.doctor_id == task.doctor_id, Question.status == QuestionStatus.answered,
               Question.resolved.is_(None), Meeting.owner_id == task.assignee_id)
        .order_by(Question.id)))


def _marked_questions(task: FollowUp) -> list[Question]:
    """The doctor's questions (of the assignee's meetings) already marked resolved or not."""
    if task.kind not in ASKS_RESOLVED or task.doctor_id is None:
        return []
    return list(db.session.scalars(
        select(Question).join(Meeting, Meeting.id == Question.meeting_id)
        .where(Question.doctor_id == task.doctor_id, Question.resolved.is_not(None),
               Meeting.owner_id == task.assignee_id)))


def _resolve(actor: User, task: FollowUp, resolutions: list[dict] | None) -> None:
    """Record per pending question whether it was resolved: yes closes it;
    no sends it back to marketing as needs_evidence with the rep's note, and
    marketing's next answer makes a new relay task. Every pending question
    needs its answer (422 naming the missing ones)."""
    pending = {q.id: q for q in questions_to_resolve(task)}
    given: dict[int, dict] = {}
    # a retried request: what it says of questions already marked is what they say
    retried = resolutions and task.status == FollowUpStatus.done
    marked = {q.id: q.resolved for q in _marked_questions(task)} if retried else {}
    for i, item in enumerate(resolutions or []):
        question_id = item.get("question_id")
        if question_id in marked and marked[question_id] == bool(item.get("resolved")):
            continue
        if question_id not in pending:
            raise InvalidInput(_("question %(id)s is not waiting to be marked resolved here",
                                 id=question_id), field=f"resolutions.{i}.question_id")
        given[question_id] = item
    missing = [question_id for question_id in pending if question_id not in given]
    if missing:
        raise InvalidInput(_("say whether each answered question was resolved (%(ids)s)",
                             ids=", ".join(str(i) for i in missing)), field="resolutions")
    now = utcnow()
    for question_id, item in given.items():
        question, resolved = pending[question_id], bool(item.get("resolved"))
        before = {"status": question.status, "resolved": question.resolved}
        question.resolved, question.resolved_at = resolved, now
        if not resolved:
            question.status = QuestionStatus.needs_evidence  # 重新搜集证据
            question.evidence_note = (item.get("note") or "").strip() or None
        log_action(actor, "resolve", "question", question.id, before=before,
                   after={"status": question.status, "resolved": resolved, "followup_id": task.id})


def complete(actor: User, task: FollowUp, *, outcome: str | None = None, notes: str | None = None,
             question: str | None = None, status: str = "done",
             resolutions: list[dict] | None = None) -> FollowUp:
    """The assignee records how the visit went: committed (agreed to
    prescribe), ambiguous or declined, with notes and maybe a new question for
    marketing. A repeat (a retried request) corrects outcome and notes; the
    question is raised once. `status` is what the page and the API send with
    it; a task can only be completed, never reopened. `resolutions`: for a
    visit or relay to a doctor with answered questions, whether each was
    resolved (SPEC §15); resolved needs the outcome (the prescription ask),
    which every completion carries."""
    if task.assignee_id != actor.id:
        raise Forbidden(_("only the person the task is assigned to completes it"))
    problems = Problems()  # every field checked in one pass, reported together
    if status != FollowUpStatus.done.value:
        problems.add("status", _("a follow-up can only be marked done"))
    try:
        outcome = Outcome(outcome)
    except ValueError:
        problems.add("outcome", _("choose one of: %(choices)s", choices=listed(label(o) for o in Outcome)))
    notes = (notes or "").strip() or None
    if notes and len(notes) > NOTES_MAX:
        problems.add("notes", _("at most %(n)s characters", n=NOTES_MAX))
    question = (question or "").strip() or None
    if question and len(question) > QUESTION_MAX:
        problems.add("question", _("at most %(n)s characters", n=QUESTION_MAX))
    problems.raise_any()
    if question and task.raised_question_id is not None:
        if task.raised_question.text != question:
            raise Conflict(_("this visit has already raised a question"))
        question = None  # the same request again
    _resolve(actor, task, resolutions)
    # the outcome old → new (declined → committed shows); the notes about the doctor stay out
    before = {"status": task.status, "outcome": task.outcome}
    notes_changed = (task.notes or None) != notes
    task.outcome, task.notes = outcome, notes
    log_action(actor, "complete", "followup", task.id, before=before,
               after={"status": FollowUpStatus.done, "outcome": outcome, "notes_changed": notes_changed,
                      "meeting_id": task.meeting_id, "doctor_id": task.doctor_id})
    if task.status != FollowUpStatus.done:
        task.status, task.completed_at = FollowUpStatus.done, utcnow()
    if question:
        raised = Question(meeting_id=task.meeting_id, doctor_id=task.doctor_id, text=question,
                          status=QuestionStatus.open, source=QuestionSource.visit)
        db.session.add(raised)
        db.session.flush()
        task.raised_question_id = raised.id
    db.session.flush()
    if question:
        question_asked.send(raised)  # notifications: marketing is told
    return task


# ---------------------------------------------------------------- escalation

def managers_of(task: FollowUp) -> list[User]:
    """Who is told about an overdue task: the province's provincial
    manager(s); when the assignee is that manager, the regional manager(s)."""
    meeting = task.meeting
    scope = (meeting.province_id, meeting.province.region_id, task.assignee_id)
    return managers_for([scope])[scope]


def managers_for(scopes) -> dict[tuple[int, int, int], list[User]]:
    """`managers_of` for many tasks in one query: (province, region,
    assignee) → the active provincial managers of the province other than the
    assignee, or when there are none the region's regional managers."""
    scopes = set(scopes)
    provinces = {province for province, _, _ in scopes}
    regions = {region for _, region, _ in scopes}
    people = db.session.scalars(select(User).where(User.active.is_(True), or_(
        (User.role == Role.provincial_manager) & User.province_id.in_(provinces),
        (User.role == Role.regional_manager) & User.region_id.in_(regions))).order_by(User.id)).all()
    out = {}
    for province, region, assignee in scopes:
        out[(province, region, assignee)] = (
            [u for u in people if u.role == Role.provincial_manager and u.province_id == province
             and u.id != assignee]
            or [u for u in people if u.role == Role.regional_manager and u.region_id == region
                and u.id != assignee])
    return out


def kind_label(kind: FollowUpKind) -> str:
    return label(kind)


# ---------------------------------------------------------------- subscriptions

def _on_transition(meeting, *, to_status, **_) -> None:
    if to_status == Status.held:
        schedule_for_meeting(meeting)  # the week's tasks exist at once; the job is the safety net


def _on_checkin(meeting, **_) -> None:
    rescan_after_checkin(meeting)


def _on_void(meeting, *, checkin, **_) -> None:
    # a voided check-in creates no follow-up; an invitee it had shown present gets the gift task
    withdraw_visit(meeting, checkin.doctor_id, None if checkin.doctor_id else checkin.name)
    rescan_after_checkin(meeting)


def _on_answer(question, **_) -> None:
    create_answer_relay(question)


def connect() -> None:
    """Subscribe to the meeting's, check-in's and questions' signals (called
    by the app factory)."""
    meeting_transitioned.connect(_on_transition)
    checkin_recorded.connect(_on_checkin)
    checkin_voided.connect(_on_void)
    question_answered.connect(_on_answer)
