import secrets
from datetime import timezone
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import event, insert, select

from meetings.auth.models import Role
from meetings.checkin.services import attendance
from meetings.doctors.models import Doctor, Grade
from meetings.doctors.services import is_key, key_clause
from meetings.errors import InvalidInput
from meetings.extensions import db
from meetings.followups import services as followups
from meetings.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from meetings.proposals.models import Meeting, Status
from meetings.reports.services import Period, meeting_report, rate
from meetings.types import local_date

from .conftest import at, local


@pytest.fixture
def world(org, make_team, make_user, make_region, make_doctor, held, make_meeting):
    """Three provinces in two regions, meetings with every kind of attendee."""
    w = type("World", (), {})()
    w.p1 = make_team(use_org=True)
    w.rep2 = make_user(Role.rep, province=org.province)
    w.p2 = make_team(region=org.region)
    w.p3 = make_team(region=make_region())
    h = org.hospital
    a1, b1, c1, d1, a2, b1b, a5 = (make_doctor(h, g) for g in "ABCDABA")
    nurse = make_doctor(h, "A", title="nurse")  # key grade, never key
    w.m1 = held(w.p1, primaries=[a1, b1, c1, nurse, d1], backups={a1: a2, b1: b1b, c1: a5},
                declined=[d1], present=[a1, c1, nurse, a5], walk_ins=["王护士"], spend="800")
    b2, c2, a3 = make_doctor(h, "B"), make_doctor(h, "C"), make_doctor(h, "A")
    w.m2 = held(w.p1, rep=w.rep2, primaries=[b2, c2], backups={b2: a3}, declined=[b2], present=[a3])
    a4, a4b = make_doctor(w.p2.hospital, "A"), make_doctor(w.p2.hospital, "A")
    w.m3 = held(w.p2, primaries=[a4], backups={a4: a4b}, present=[])
    # nobody expected: its one primary declined, with no backup to promote
    d3 = make_doctor(w.p3.hospital, "D")
    w.m4 = held(w.p3, primaries=[d3], declined=[d3], walk_ins=["李医生"], spend="120.50")
    w.planned = make_meeting("approved")  # approved, not held: budget only
    d2 = make_doctor(h, "D")
    w.later = held(w.p1, starts_at=local(40), primaries=[d2], present=[], walk_ins=["张"])
    w.meetings = [w.m1, w.m2, w.m3, w.m4, w.later]
    return w


def pooled(meetings):
    """What the report must say, from attendance() of each held meeting."""
    figures = [attendance(m) for m in meetings]
    total = {k: sum(f[k] for f in figures) for k in
             ("expected", "present", "attended_invited", "key_expected", "key_present")}
    total["attendance_rate"] = rate(total["present"], total["expected"])
    total["accuracy_rate"] = rate(total["attended_invited"], total["present"])
    total["key_attendance_rate"] = rate(total["key_present"], total["key_expected"])
    return total


FIGURES = ("expected", "present", "attended_invited", "key_expected", "key_present",
           "attendance_rate", "accuracy_rate", "key_attendance_rate")


def by_key(rows):
    return {row["key"]["id"]: row for row in rows}


def test_every_figure_equals_attendance_of_each_meeting_pooled(org, world):
    rows = by_key(meeting_report(org.admin, "rep", Period()))
    assert set(rows) == {org.rep.id, world.rep2.id, world.p2.rep.id, world.p3.rep.id}
    for owner, meetings in ((org.rep.id, [world.m1, world.later]), (world.rep2.id, [world.m2]),
                            (world.p2.rep.id, [world.m3]), (world.p3.rep.id, [world.m4])):
        assert {k: rows[owner][k] for k in FIGURES} == pooled(meetings)
    # the fixture really exercises the rules: declined, unpromoted backup, nurse, walk-ins
    assert attendance(world.m1) | {} == {**attendance(world.m1), "expected": 4, "present": 5,
                                         "attended_invited": 4, "key_expected": 2, "key_present": 1}
    # SPEC §5 key seats: a1's seat is filled; b1's is empty; a5 (A) backs up c1, no key seat
    assert rows[world.p3.rep.id]["attendance_rate"] is None  # nobody expected
    assert rows[world.p2.rep.id]["accuracy_rate"] is None  # nobody came


def test_rates_are_pooled_not_a_mean_of_meeting_rates(org, world):
    row = by_key(meeting_report(org.admin, "province", Period()))[org.province.id]
    one, two, later = attendance(world.m1), attendance(world.m2), attendance(world.later)
    assert row["expected"] == one["expected"] + two["expected"] + later["expected"]
    assert row["attendance_rate"] == round((one["present"] + two["present"] + later["present"])
                                           / row["expected"], 4)
    assert row["attendance_rate"] != round((one["attendance_rate"] + two["attendance_rate"]) / 2, 4)


def test_money_meetings_held_and_the_period(org, world):
    period = Period(local(0).date(), local(10).date())
    rows = by_key(meeting_report(org.admin, "province", period))
    p1 = rows[org.province.id]
    assert p1["meetings_held"] == 2  # m1, m2; `later` is outside the period
    # budgets drawn by approval: m1, m2 and the planned (approved) meeting
    drawn = sum((m.drawn_amount for m in (world.m1, world.m2, world.planned)), Decimal("0"))
    assert p1["budget_approved"] == drawn
    assert p1["actual_spend"] == Decimal("800.00")
    assert p1["expected"] == pooled([world.m1, world.m2])["expected"]
    assert rows[world.p3.province.id]["actual_spend"] == Decimal("120.50")
    all_time = by_key(meeting_report(org.admin, "province", Period()))[org.province.id]
    assert all_time["meetings_held"] == 3


def test_cancelled_meetings_count_nowhere(org, world, make_meeting):
    from meetings.proposals import services as proposals
    before = by_key(meeting_report(org.admin, "province", Period()))[org.province.id]
    meeting = make_meeting("approved")
    proposals.cancel(org.rep, meeting)
    db.session.commit()
    assert meeting.status == Status.cancelled
    after = by_key(meeting_report(org.admin, "province", Period()))[org.province.id]
    assert after == before


def test_regions_roll_up_their_provinces(org, world):
    rows = by_key(meeting_report(org.admin, "region", Period()))
    assert set(rows) == {org.region.id, world.p3.province.region_id}
    assert rows[org.region.id]["meetings_held"] == 4
    assert ({k: rows[org.region.id][k] for k in FIGURES}
            == pooled([world.m1, world.m2, world.m3, world.later]))
    assert rows[org.region.id]["key"] == {"type": "region", "id": org.region.id, "name": org.region.name}


def test_months_group_by_local_start_month(org, world):
    rows = by_key(meeting_report(org.admin, "month", Period()))
    months = {local_date(m.starts_at).strftime("%Y-%m") for m in world.meetings}
    assert set(rows) == months
    assert sum(r["meetings_held"] for r in rows.values()) == 5


# ---------------------------------------------------------------- visibility

def test_each_role_sees_only_its_own_rows(org, world):
    def keys(user, group_by="rep"):
        return set(by_key(meeting_report(user, group_by, Period())))
    assert keys(org.rep) == {org.rep.id}
    assert keys(org.pm) == {org.rep.id, world.rep2.id}
    assert keys(org.rm) == {org.rep.id, world.rep2.id, world.p2.rep.id}
    assert keys(org.rm, "region") == {org.region.id}
    assert keys(org.marketing) == keys(org.admin) == {org.rep.id, world.rep2.id, world.p2.rep.id,
                                                     world.p3.rep.id}
    mine = by_key(meeting_report(org.rep, "rep", Period()))[org.rep.id]
    assert {k: mine[k] for k in FIGURES} == pooled([world.m1, world.later])


def test_from_after_to_is_refused_naming_the_field(org):
    with pytest.raises(InvalidInput) as error:
        meeting_report(org.admin, "rep", Period(local(5).date(), local(1).date()))
    assert error.value.field == "from"


# ---------------------------------------------------------------- follow-ups

def test_followups_due_and_done_on_time(org, world):
    tasks = db.session.scalars(select(FollowUp).where(FollowUp.meeting_id == world.m1.id)
                               .order_by(FollowUp.id)).all()
    assert len(tasks) >= 4
    due_on = tasks[0].due_on
    with time_machine.travel(at((due_on - local(0).date()).days - 1)):  # before the due date
        followups.complete(org.rep, tasks[0], outcome="committed")
        db.session.commit()
    with time_machine.travel(at((due_on - local(0).date()).days + 2)):  # late
        followups.complete(org.rep, tasks[1], outcome="ambiguous")
        db.session.commit()
    # before anything is due: only done tasks count
    row = by_key(meeting_report(org.admin, "rep", Period()))[org.rep.id]
    assert (row["followups_due"], row["followups_on_time"]) == (2, 1)
    assert row["followup_on_time_rate"] == 0.5
    with time_machine.travel(at((due_on - local(0).date()).days + 50)):
        row = by_key(meeting_report(org.admin, "rep", Period()))[org.rep.id]
        everything = db.session.scalars(select(FollowUp).join(FollowUp.meeting).where(
            FollowUp.kind.in_([FollowUpKind.visit, FollowUpKind.gift_delivery]),
            FollowUp.meeting.has(owner_id=org.rep.id))).all()
        today = followups.today()
        due = [t for t in everything if t.status == FollowUpStatus.done or t.due_on < today]
        on_time = [t for t in due if t.status == FollowUpStatus.done
                   and local_date(t.completed_at) <= t.due_on]
    assert row["followups_due"] == len(due) == len(everything)
    assert row["followups_on_time"] == len(on_time) == 1
    assert row["followup_on_time_rate"] == rate(1, len(due))


# ---------------------------------------------------------------- SQL

class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def count_statements(fn):
    counter = Statements()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def clone_held(meeting, n: int, **fields) -> None:
    """n more held meetings like `meeting` (with `fields` changed), inserted in
    one statement: a report is measured over many meetings without walking
    each through the services. Only the meeting row is copied (no invitees,
    check-ins, agenda or tasks)."""
    columns = [c.key for c in Meeting.__table__.columns if c.key not in ("id", "checkin_token")]
    row = {**{c: getattr(meeting, c) for c in columns}, **fields}
    db.session.execute(insert(Meeting), [{**row, "checkin_token": secrets.token_urlsafe(16)}
                                         for _ in range(n)])
    db.session.commit()


def test_one_statement_whatever_the_number_of_meetings(org, held, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    team = type("T", (), {"rep": org.rep, "pm": org.pm, "hospital": org.hospital,
                          "department": org.department})
    for days in (2, 3, 4, 5, 6):
        held(team, starts_at=local(days), primaries=[doctor], present=[doctor], walk_ins=["x"])

    def statements():
        db.session.expire_all()
        return count_statements(lambda: meeting_report(org.pm, "rep", Period()))
    few = statements()
    clone_held(db.session.get(Meeting, max(m.id for m in db.session.query(Meeting))), 900)
    many = statements()
    # the report itself is one statement (the rest reloads the user); a
    # batched part (one query per N meetings) would make `many` larger
    assert many == few, (few, many)
    row = by_key(meeting_report(org.pm, "rep", Period()))[org.rep.id]
    assert row["meetings_held"] == 905 and row["score_percent_avg"] is not None


KEY_CASES = [(100, 30, None), (99.99, 50, None), (100, 0, None), (0, 0, None), (None, None, None),
             (10, 1, Grade.A), (10, 1, Grade.B), (500, 400, Grade.C), (500, 1, Grade.D)]


def test_the_sql_key_rule_agrees_with_is_key(org):
    doctors = [Doctor(department_id=org.department.id, name="x", title=title, position="outpatient",
                      potential=None if potential is None else Decimal(str(potential)),
                      support=None if support is None else Decimal(str(support)),
                      grade_override=override)
               for title in ("chief_physician", "nurse", "intern", "resident")
               for potential, support, override in KEY_CASES]
    db.session.add_all(doctors)
    db.session.commit()
    in_sql = set(db.session.scalars(select(Doctor.id).where(key_clause(Doctor))))
    assert in_sql == {d.id for d in doctors if is_key(d)}
    assert 0 < len(in_sql) < len(doctors)


@pytest.mark.parametrize("role", ["rep", "provincial_manager", "regional_manager", "marketing", "admin"])
def test_dashboards_cost_the_same_statements_whatever_the_number_of_meetings(org, held, make_doctor, role):
    from meetings.questions.models import Question
    from meetings.reports.dashboards import dashboard, default_period
    user = {"rep": org.rep, "provincial_manager": org.pm, "regional_manager": org.rm,
            "marketing": org.marketing, "admin": org.admin}[role]
    doctor = make_doctor(org.hospital, "C")
    team = type("T", (), {"rep": org.rep, "pm": org.pm, "hospital": org.hospital,
                          "department": org.department})

    def add(days):
        meeting = held(team, starts_at=local(days), primaries=[doctor], present=[doctor], walk_ins=["x"])
        db.session.add(Question(meeting_id=meeting.id, text="?"))
        db.session.commit()
        return meeting

    def statements():
        with time_machine.travel(at(30)):  # the follow-ups are overdue by now
            db.session.expire_all()
            return count_statements(lambda: dashboard(user, default_period()))
    add(2)
    few = statements()
    for days in (3, 4, 5):
        last = add(days)
    clone_held(last, 900)  # a batch of N meetings per query would show here
    assert statements() == few


def test_the_mean_score_is_the_mean_of_the_groups_scorecards(org, world):
    from meetings.evaluation.services import scorecards

    period = Period(local(0).date(), local(10).date())
    rows = by_key(meeting_report(org.admin, "province", period))
    cards = scorecards([world.m1.id, world.m2.id, world.m3.id])
    p1 = [cards[m.id]["percent"] for m in (world.m1, world.m2) if cards[m.id]["percent"] is not None]
    assert p1, "the fixture's meetings have computable scorecards"
    assert rows[world.p1.province.id]["score_percent_avg"] == round(sum(p1) / len(p1), 2)
    assert rows[world.p2.province.id]["score_percent_avg"] == cards[world.m3.id]["percent"]


def test_overdue_follow_ups_are_counted_per_assignee_within_the_managers_province(org, world):
    from meetings.reports.dashboards import overdue_by_assignee

    with time_machine.travel(at(30)):  # the week after every meeting is over: their tasks are overdue
        rows = overdue_by_assignee(org.pm).rows
        # m1 (org.rep): visits for a1, c1, the nurse, the backup a5 and the walk-in, a gift for b1;
        # m2 (rep2): a visit for a3, a gift for c2; m3 and m4 lie in other provinces
        assert [(r["assignee"], r["overdue"]) for r in rows] == [
            (org.rep.display_name, 6), (world.rep2.display_name, 2)]
        task = db.session.scalar(select(FollowUp).where(FollowUp.assignee_id == org.rep.id))
        followups.complete(org.rep, task, outcome="committed")
        db.session.commit()
        assert [r["overdue"] for r in overdue_by_assignee(org.pm).rows] == [5, 2]  # done is not overdue
        # the country: m3's gift for a4 and m4's walk-in visit as well
        assert sum(r["overdue"] for r in overdue_by_assignee(org.admin).rows) == 5 + 2 + 1 + 1


# ---------------------------------------------------------------- score distribution

def band_of(percent: float) -> int:
    """The band a scorecard percent falls in: [0, 20) … [60, 80), [80, 100]."""
    return min(int(percent // 20), 4)


def test_the_score_distribution_bands_each_meetings_scorecard_percent(org, held, make_team):
    from meetings.evaluation.services import scorecards
    from meetings.reports.services import score_distribution

    team = make_team(use_org=True)
    base = held(team)  # nobody invited or present: the checklist alone is scored (0 of 12)
    other = make_team(region=org.region)
    # (items, ticked) at the start: only the hardware part is computable, so
    # the percent is ticked ÷ items × 100 — the bands' edges exactly
    for items, ticked in ((5, 1), (5, 2), (10, 7), (5, 4), (5, 5), (100, 19), (None, None), (0, 0)):
        clone_held(base, 1, checklist_items_at_start=items, checklist_ticked_at_start=ticked)
    clone_held(base, 2, checklist_items_at_start=5, checklist_ticked_at_start=5,
               province_id=other.province.id)                        # not the manager's province
    clone_held(base, 1, checklist_items_at_start=5, checklist_ticked_at_start=5,
               starts_at=local(60).astimezone(timezone.utc))         # after the period
    period = Period(local(0).date(), local(10).date())

    spread = score_distribution(org.pm, period)
    assert [b["meetings"] for b in spread["bins"]] == [2, 1, 1, 1, 2]  # 0, 19 | 20 | 40 | 70 | 80, 100
    assert [(b["low"], b["high"]) for b in spread["bins"]] == [(0, 20), (20, 40), (40, 60), (60, 80),
                                                               (80, 100)]
    assert spread["unscored"] == 2
    # the same as banding each visible meeting's scorecard (the API's percent)
    mine = db.session.scalars(select(Meeting.id).where(Meeting.province_id == org.province.id,
                                                       Meeting.starts_at < at(30))).all()
    percents = [c["percent"] for c in scorecards(mine).values()]
    assert [sum(1 for p in percents if p is not None and band_of(p) == i) for i in range(5)] == \
        [b["meetings"] for b in spread["bins"]]
    assert sorted(p for p in percents if p is not None) == [0, 19, 20, 40, 70, 80, 100]
    # and the report counts the same held meetings
    held_in_report = sum(r["meetings_held"] for r in meeting_report(org.pm, "rep", period))
    assert sum(b["meetings"] for b in spread["bins"]) + spread["unscored"] == held_in_report == 9
    # a regional manager sees the other province too; the period still holds
    assert score_distribution(org.rm, period)["bins"][4]["meetings"] == 4
    assert score_distribution(org.rm, Period())["bins"][4]["meetings"] == 5


def test_the_score_distribution_is_one_statement_whatever_the_number_of_meetings(org, held, make_team):
    from meetings.reports.services import score_distribution

    base = held(make_team(use_org=True))
    few = count_statements(lambda: score_distribution(org.pm, Period()))
    clone_held(base, 900, checklist_items_at_start=4, checklist_ticked_at_start=3)
    db.session.expire_all()
    assert count_statements(lambda: score_distribution(org.pm, Period())) <= few + 1  # + the user's reload
    assert score_distribution(org.pm, Period())["bins"][3]["meetings"] == 900
