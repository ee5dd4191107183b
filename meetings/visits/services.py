"""Routine visits (SPEC §15): recording a visit, the week's plan by grade
(computed in SQL for any week: no stored plan rows to keep in sync), planned
vs done per rep, and the manager told once per lapse of a key doctor.

A doctor enters a rep's plan once they attended a meeting of the rep and
its follow-up visit task is done or past due. Visits and done follow-up
tasks (a visit, an answer relay) are both contacts with the doctor:
`contacts()` and `last_visits()` are the one definition of "when was the
doctor last visited" (the scorecard's relations read it too)."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Date, Select, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from ..actionlog import log_action
from ..auth.models import Role, User
from ..checkin.models import CheckIn
from ..checkin.services import counted_checkins
from ..doctors.models import NEVER_KEY_TITLES, Department, Doctor, Hospital
from ..doctors.services import grade_clause, visible_hospitals
from ..errors import Forbidden, InvalidInput, NotFound
from ..labels import label, listed
from ..extensions import db
from ..followups.models import FollowUp, FollowUpKind, FollowUpStatus
from ..followups.services import managers_for
from ..invitees.models import Invitee
from ..notifications.services import tell_many
from ..orgs.models import Province
from ..orgs.scope import provinces_for
from ..proposals.models import Meeting
from ..proposals.services import visible_meetings
from ..questions.models import Question, QuestionSource, QuestionStatus
from ..signals import question_asked
from ..types import UTCDateTime, local_date, local_zone, utcnow
from .models import Stage, Visit, VisitOutcome

MINUTES_MIN, MINUTES_MAX = 5, 120  # 15–30 advised (seed 000)
DAYS_BACK = 30  # a visit is recorded within a month, or not at all
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock a little ahead is still "now"
TEXT_MAX = 2000
QUESTION_MAX = 2000
# who visits doctors: the field force
VISITORS = frozenset({Role.rep, Role.provincial_manager, Role.regional_manager})
KEY_GRADES = ("A", "B")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def today() -> date:
    return local_date(utcnow())


def frequencies() -> dict[str, int]:
    """Days between two visits per grade (VISIT_FREQUENCY_DAYS)."""
    return current_app.config["VISIT_FREQUENCY_DAYS"]


def local_midnight(day: date) -> datetime:
    """The moment `day` begins in TIMEZONE, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


# ---------------------------------------------------------------- recording

def _text(value, field: str, required: bool = False, max_len: int = TEXT_MAX) -> str | None:
    value = (value or "").strip() or None
    if required and value is None:
        raise InvalidInput(_("required"), field=field)
    if value and len(value) > max_len:
        raise InvalidInput(_("at most %(n)s characters", n=max_len), field=field)
    return value


def _enum(enum_cls, value, field: str):
    try:
        return enum_cls(getattr(value, "value", value))
    except ValueError:
        choices = listed([label(m) for m in enum_cls])
        raise InvalidInput(_("one of %(choices)s", choices=choices), field=field) from None


def visitable_doctor(actor: User, doctor_id) -> Doctor:
    """A doctor the actor may visit: one of a hospital they see (SPEC §1),
    not erased. Any other id, known or not, is the same 422."""
    doctor = None
    if isinstance(doctor_id, int):
        doctor = db.session.scalar(
            select(Doctor).join(Department, Department.id == Doctor.department_id)
            .where(Doctor.id == doctor_id, Doctor.erased_at.is_(None),
                   Department.hospital_id.in_(visible_hospitals(actor))))
    if doctor is None:
        raise InvalidInput(_("no such doctor among those you may visit"), field="doctor_id")
    return doctor


def check_visited_at(visited_at: datetime | None, now: datetime | None = None) -> datetime:
    """Not in the future, at most DAYS_BACK days back."""
    now = now or utcnow()
    if visited_at is None:
        raise InvalidInput(_("required"), field="visited_at")
    if visited_at.tzinfo is None:
        visited_at = visited_at.replace(tzinfo=local_zone())
    if visited_at > now + CLOCK_SKEW:
        raise InvalidInput(_("a visit cannot lie in the future"), field="visited_at")
    if visited_at < now - timedelta(days=DAYS_BACK):
        raise InvalidInput(_("at most %(n)s days back", n=DAYS_BACK), field="visited_at")
    return visited_at


def question_meeting(actor: User, doctor: Doctor) -> int | None:
    """The meeting a question from a visit belongs to (marketing answers it
    there, the answer comes back as a relay task): the latest meeting the
    actor sees that the doctor attended, else was invited to — the actor's
    own first."""
    seen = visible_meetings(actor).with_only_columns(Meeting.id)
    own_first = case((Meeting.owner_id == actor.id, 0), else_=1)
    attended = (select(Meeting.id).join(CheckIn, CheckIn.meeting_id == Meeting.id)
                .where(CheckIn.doctor_id == doctor.id, counted_checkins(), Meeting.id.in_(seen)))
    invited = (select(Meeting.id).join(Invitee, Invitee.meeting_id == Meeting.id)
               .where(Invitee.doctor_id == doctor.id, Meeting.id.in_(seen)))
    for query in (attended, invited):
        found = db.session.scalar(query.order_by(own_first, Meeting.starts_at.desc(), Meeting.id.desc())
                                  .limit(1))
        if found is not None:
            return found
    return None


def create_visit(actor: User, *, doctor_id, visited_at, minutes, purpose, outcome, stage,
                 key_message=None, expected_objection=None, next_step=None, notes=None,
                 question=None) -> Visit:
    """Record a visit by `actor` (SPEC §15). A new question goes to marketing
    (`source: visit`) on the latest meeting of the doctor's the actor sees."""
    if actor.role not in VISITORS:
        raise Forbidden(_("only reps and managers record visits"))
    doctor = visitable_doctor(actor, doctor_id)
    visited_at = check_visited_at(visited_at)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise InvalidInput(_("between %(low)s and %(high)s", low=MINUTES_MIN, high=MINUTES_MAX),
                           field="minutes")
    visit = Visit(doctor_id=doctor.id, rep_id=actor.id, visited_at=visited_at, minutes=minutes,
                  purpose=_text(purpose, "purpose", required=True),
                  key_message=_text(key_message, "key_message"),
                  expected_objection=_text(expected_objection, "expected_objection"),
                  next_step=_text(next_step, "next_step"),
                  outcome=_enum(VisitOutcome, outcome, "outcome"), stage=_enum(Stage, stage, "stage"),
                  notes=_text(notes, "notes", max_len=5000))
    text = _text(question, "question", max_len=QUESTION_MAX)
    asked = None
    if text:
        meeting_id = question_meeting(actor, doctor)
        if meeting_id is None:
            raise InvalidInput(_("this doctor attended none of the meetings you see; "
                                 "ask marketing through a meeting's summary"), field="question")
        asked = Question(meeting_id=meeting_id, doctor_id=doctor.id, text=text,
                         status=QuestionStatus.open, source=QuestionSource.visit)
        db.session.add(asked)
        db.session.flush()
        visit.question_id = asked.id
    db.session.add(visit)
    db.session.flush()
    # ids and codes only: the call plan and notes are about a person (SPEC §11)
    log_action(actor, "create", "visit", visit.id, after={
        "doctor_id": doctor.id, "rep_id": actor.id, "visited_at": visited_at, "minutes": minutes,
        "outcome": visit.outcome, "stage": visit.stage, "question_id": visit.question_id})
    if asked is not None:
        question_asked.send(asked)  # notifications: marketing is told
    return visit


# ---------------------------------------------------------------- reading visits

def visible_visits(user: User) -> Select:
    """A rep sees their own visits; a manager also those to doctors of the
    hospitals of their province (region); admin and marketing all."""
    query = select(Visit)
    if user.role in (Role.admin, Role.marketing):
        return query
    mine = Visit.rep_id == user.id
    if user.role not in (Role.provincial_manager, Role.regional_manager):
        return query.where(mine)
    in_scope = (select(Doctor.id).join(Department, Department.id == Doctor.department_id)
                .where(Department.hospital_id.in_(visible_hospitals(user))))
    return query.where(or_(mine, Visit.doctor_id.in_(in_scope)))


def list_visits(user: User, *, doctor_id: int | None = None, rep_id: int | None = None,
                from_: date | None = None, to: date | None = None) -> Select:
    """Newest first; `from`/`to` are local dates, both included."""
    query = visible_visits(user)
    if doctor_id is not None:
        query = query.where(Visit.doctor_id == doctor_id)
    if rep_id is not None:
        query = query.where(Visit.rep_id == rep_id)
    if from_ is not None:
        query = query.where(Visit.visited_at >= local_midnight(from_))
    if to is not None:
        query = query.where(Visit.visited_at < local_midnight(to + timedelta(days=1)))
    return query.order_by(Visit.visited_at.desc(), Visit.id.desc()).options(selectinload(Visit.doctor))


def get_visit(user: User, visit_id: int) -> Visit:
    visit = db.session.scalar(visible_visits(user).where(Visit.id == visit_id)
                              .options(selectinload(Visit.doctor)))
    if visit is None:
        raise NotFound(_("visit not found"))
    return visit


def last_visit_of(actor: User, doctor_id: int) -> Visit | None:
    """The latest visit to the doctor the actor sees: the new visit's call
    plan starts from its next step."""
    return db.session.scalar(visible_visits(actor).where(Visit.doctor_id == doctor_id)
                             .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(1))


# ---------------------------------------------------------------- contacts (reusable)

def contacts(*, since: datetime | None = None, before: datetime | None = None):
    """Every contact with a doctor as (doctor_id, rep_id, at): the visits,
    and the done follow-up visits and answer relays — a subquery to join.
    `since`/`before` bound `at` (UTC moments; before excluded). The
    scorecard's relations (visited in the 90 days before a meeting) and the
    plan both read it."""
    visits = select(Visit.doctor_id.label("doctor_id"), Visit.rep_id.label("rep_id"),
                    Visit.visited_at.label("at"))
    tasks = (select(FollowUp.doctor_id.label("doctor_id"), FollowUp.assignee_id.label("rep_id"),
                    FollowUp.completed_at.label("at"))
             .where(FollowUp.status == FollowUpStatus.done, FollowUp.doctor_id.is_not(None),
                    FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.answer_relay])))
    if since is not None:
        visits, tasks = visits.where(Visit.visited_at >= since), tasks.where(FollowUp.completed_at >= since)
    if before is not None:
        visits, tasks = visits.where(Visit.visited_at < before), tasks.where(FollowUp.completed_at < before)
    return union_all(visits, tasks).subquery("contacts")


def last_visits(*, before: datetime | None = None, doctor_ids=None):
    """Per doctor, the moment of the last contact (before `before`): a
    subquery of (doctor_id, last_at) to outer-join."""
    c = contacts(before=before)
    query = select(c.c.doctor_id, func.max(c.c.at).label("last_at")).group_by(c.c.doctor_id)
    if doctor_ids is not None:
        query = query.where(c.c.doctor_id.in_(doctor_ids))
    return query.subquery("last_visits")


# ---------------------------------------------------------------- the plan

def parse_week(text: str | None) -> date:
    """"2026-W51" → that ISO week's Monday; None: this week's."""
    if text is None:
        day = today()
        return day - timedelta(days=day.weekday())
    match = WEEK.match(text.strip()) if isinstance(text, str) else None
    try:
        if match is None or not 2000 <= int(match.group(1)) <= 2100:
            raise ValueError
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InvalidInput(_("an ISO week such as 2026-W51"), field="week") from None


def week_text(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _entries(end_at: datetime, last_day: date):
    """(rep_id, doctor_id, entered_due): the doctors in each rep's plan at
    `end_at` — present at a meeting of the rep (a visit task exists only for
    those) whose visit task was done by then or is past due on `last_day`."""
    return (select(FollowUp.assignee_id.label("rep_id"), FollowUp.doctor_id.label("doctor_id"),
                   func.min(FollowUp.due_on, type_=Date).label("entered_due"))
            .where(FollowUp.kind == FollowUpKind.visit, FollowUp.doctor_id.is_not(None),
                   or_(and_(FollowUp.status == FollowUpStatus.done, FollowUp.completed_at < end_at),
                       FollowUp.due_on < last_day))
            .group_by(FollowUp.assignee_id, FollowUp.doctor_id).subquery("entries"))


def _by_grade(grade, values: dict, type_=None):
    """A CASE on the grade letter giving each grade's value (bound)."""
    whens = [(grade == letter, literal(values[letter], type_) if type_ is not None else literal(values[letter]))
             for letter in ("A", "B", "C")]
    last = values["D"]
    return case(*whens, else_=literal(last, type_) if type_ is not None else literal(last))


def plan_query(rep_ids, monday: date) -> Select:
    """The week's plan of the reps `rep_ids` (a list or a select of ids), one
    row per doctor in a plan: rep_id, doctor_id, name, hospital, grade,
    last_at (the last contact before the week), entered_due, due (the last
    visit is at least the grade's frequency before the week's end, or none
    yet) and done (the rep met the doctor within the week). One statement,
    whatever the number of doctors."""
    sunday = monday + timedelta(days=6)
    start_at, end_at = local_midnight(monday), local_midnight(sunday + timedelta(days=1))
    freq = frequencies()
    # due: last visit date <= sunday - frequency, i.e. before the next day began
    thresholds = {g: local_midnight(sunday - timedelta(days=days) + timedelta(days=1)) for g, days in freq.items()}
    grade = grade_clause(Doctor)
    entries = _entries(end_at, sunday)
    last = last_visits(before=start_at)
    week = contacts(since=start_at, before=end_at)
    done = exists(select(week.c.doctor_id).where(week.c.doctor_id == entries.c.doctor_id,
                                                 week.c.rep_id == entries.c.rep_id))
    due = or_(last.c.last_at.is_(None), last.c.last_at < _by_grade(grade, thresholds, UTCDateTime()))
    return (select(entries.c.rep_id, Doctor.id.label("doctor_id"), Doctor.name, Hospital.name.label("hospital"),
                   grade.label("grade"), last.c.last_at, entries.c.entered_due,
                   case((due, 1), else_=0).label("due"), case((done, 1), else_=0).label("done"))
            .select_from(entries)
            .join(Doctor, Doctor.id == entries.c.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .outerjoin(last, last.c.doctor_id == Doctor.id)
            .where(entries.c.rep_id.in_(rep_ids), Doctor.title.not_in(list(NEVER_KEY_TITLES)),
                   Doctor.erased_at.is_(None))
            .order_by(entries.c.rep_id, grade, Doctor.name, Doctor.id))


def plan_rows(rep_ids, monday: date, *, day: date | None = None) -> list[dict]:
    """plan_query as dicts with the frequency, the date the visit falls due
    (the last visit + frequency; the follow-up's due date when never visited)
    and overdue (due, not done, and its date passed by `day` — today, or the
    week's end for a past week)."""
    freq = frequencies()
    sunday = monday + timedelta(days=6)
    reference = min(day or today(), sunday)
    out = []
    for row in db.session.execute(plan_query(rep_ids, monday)):
        last_on = local_date(row.last_at) if row.last_at is not None else None
        due_on = last_on + timedelta(days=freq[row.grade]) if last_on else row.entered_due
        due, done = bool(row.due), bool(row.done)
        out.append({"rep_id": row.rep_id, "doctor_id": row.doctor_id, "name": row.name,
                    "hospital": row.hospital, "grade": row.grade, "due": due, "due_on": due_on,
                    "last_visit_on": last_on, "frequency_days": freq[row.grade], "done": done,
                    "overdue": due and not done and due_on < reference})
    return out


def reps_in_scope(user: User) -> Select:
    """The people whose plans `user` sees: themself; a manager the reps of
    their province (region); admin and marketing every rep."""
    query = select(User.id).where(User.active.is_(True), User.role == Role.rep)
    if user.role in (Role.admin, Role.marketing):
        return query
    if user.role in (Role.provincial_manager, Role.regional_manager):
        return query.where(provinces_for(user, User.province_id))
    return select(User.id).where(User.id == user.id)


def plan_for(user: User, monday: date, rep_id: int | None = None) -> list[dict]:
    """GET /visit-plan: the user's own plan, or with `rep_id` a rep's the user
    oversees (anyone else's: 404)."""
    if rep_id is not None and rep_id != user.id:
        if db.session.scalar(reps_in_scope(user).where(User.id == rep_id)) is None:
            raise NotFound(_("no such rep among those you oversee"))
        return plan_rows([rep_id], monday)
    return plan_rows([user.id], monday)


def visit_report(user: User, monday: date) -> list[dict]:
    """Per rep the user sees, within the week: planned (doctors due), done
    (of those, met within the week), rate = done ÷ planned (null when
    nothing was planned). One statement."""
    plan = plan_query(reps_in_scope(user), monday).order_by(None).subquery("plan")
    counts = (select(plan.c.rep_id, func.sum(plan.c.due).label("planned"),
                     func.sum(plan.c.due * plan.c.done).label("done"))
              .group_by(plan.c.rep_id).subquery("counts"))
    rows = db.session.execute(
        select(User.id, User.display_name, counts.c.planned, counts.c.done)
        .outerjoin(counts, counts.c.rep_id == User.id)
        .where(User.id.in_(reps_in_scope(user))).order_by(User.display_name, User.id)).all()
    out = []
    for row in rows:
        planned, done = int(row.planned or 0), int(row.done or 0)
        out.append({"key": {"type": "rep", "id": row.id, "name": row.display_name},
                    "rep_id": row.id, "week": week_text(monday), "planned": planned, "done": done,
                    "rate": round(done / planned, 4) if planned else None})
    return out


# ---------------------------------------------------------------- lapses

def lapsed_query(now: datetime) -> Select:
    """Key doctors (A, B; never nurses or interns) in a rep's plan whose last
    contact is at least twice their frequency ago (or, never visited, whose
    follow-up fell due that long ago): rep, doctor, grade, last_at, the
    rep's province and region, names for the message."""
    day = local_date(now)
    freq = frequencies()
    twice = {g: 2 * days for g, days in freq.items()}
    # last visit date <= day - 2f  ⇔  last_at before the day after that began
    moments = {g: local_midnight(day - timedelta(days=d) + timedelta(days=1)) for g, d in twice.items()}
    dates = {g: day - timedelta(days=d) for g, d in twice.items()}
    grade = grade_clause(Doctor)
    entries = _entries(now, day)
    last = last_visits()
    rep = User.__table__.alias("rep")
    lapsed = or_(and_(last.c.last_at.is_not(None), last.c.last_at < _by_grade(grade, moments, UTCDateTime())),
                 and_(last.c.last_at.is_(None), entries.c.entered_due <= _by_grade(grade, dates)))
    return (select(entries.c.rep_id, Doctor.id.label("doctor_id"), Doctor.name, grade.label("grade"),
                   last.c.last_at, entries.c.entered_due, rep.c.display_name.label("rep_name"),
                   rep.c.province_id, Province.region_id)
            .select_from(entries)
            .join(Doctor, Doctor.id == entries.c.doctor_id)
            .join(rep, rep.c.id == entries.c.rep_id)
            .outerjoin(Province, Province.id == rep.c.province_id)
            .outerjoin(last, last.c.doctor_id == Doctor.id)
            .where(grade.in_(KEY_GRADES), Doctor.title.not_in(list(NEVER_KEY_TITLES)),
                   Doctor.erased_at.is_(None), rep.c.active.is_(True), lapsed)
            .order_by(entries.c.rep_id, Doctor.id))


def tell_lapses(now: datetime | None = None) -> dict:
    """The lapse_visits job: the rep's manager(s) told of each lapsed key
    doctor, once per lapse — the key names the last visit, so a visit ends
    the lapse and a later one is a new lapse. Set-based: one query for the
    lapses, one for the managers, one insert of the notifications (ON
    CONFLICT DO NOTHING on (user, key)) and one of their mail."""
    now = now or utcnow()
    rows = db.session.execute(lapsed_query(now)).all()
    managers = managers_for((r.province_id, r.region_id, r.rep_id) for r in rows)
    freq = frequencies()
    messages = []
    for r in rows:
        last_on = local_date(r.last_at) if r.last_at is not None else None
        since = last_on.isoformat() if last_on else "never"
        params = {"doctor": r.name, "grade": r.grade, "rep": r.rep_name,
                  "last": last_on.isoformat() if last_on else "—", "days": 2 * freq[r.grade]}
        messages += [dict(user=manager, key=f"lapse:{r.rep_id}:{r.doctor_id}:{since}", kind="visit_lapsed",
                          params=params, link=f"/visits/week?rep_id={r.rep_id}")
                     for manager in managers[(r.province_id, r.region_id, r.rep_id)]]
    return {"lapsed": len(rows), "notified": tell_many(messages)}
