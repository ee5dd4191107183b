"""The week's plan (SPEC §15): who is in it, who is due, done, and the
report per rep — computed for any week from visits and follow-ups."""
from datetime import timedelta

from meetings.auth.models import Role
from meetings.extensions import db
from meetings.followups import services as followups
from meetings.types import utcnow
from meetings.visits import services

from .conftest import meeting_day, monday_of, on, visit_task, week_of


def visit(actor, doctor, day, **kw):
    with on(day):
        values = dict(doctor_id=doctor.id, visited_at=utcnow(), minutes=20, purpose="拜访",
                      outcome="none", stage="aware")
        values.update(kw)
        made = services.create_visit(actor, **values)
        db.session.commit()
        return made


def plan(rep, monday, day=None):
    with on(day or monday + timedelta(days=2)):
        return {row["doctor_id"]: row for row in services.plan_rows([rep.id], monday)}


def test_due_by_grade_and_frequency(org, make_doctor, met, app):
    a_week, a_day, c_13, c_14, d_21, d_28 = (
        make_doctor(org.hospital, g) for g in ("A", "B", "C", "C", "D", "D"))
    meeting = met(a_week, a_day, c_13, c_14, d_21, d_28)
    monday = monday_of(meeting_day(meeting)) + timedelta(days=35)  # the follow-ups long past due
    sunday = monday + timedelta(days=6)
    visit(org.rep, a_week, monday - timedelta(days=7))
    visit(org.rep, a_day, monday - timedelta(days=1))  # exactly 7 days before the week's end
    visit(org.rep, c_13, sunday - timedelta(days=13))
    visit(org.rep, c_14, sunday - timedelta(days=14))
    visit(org.rep, d_21, sunday - timedelta(days=21))
    visit(org.rep, d_28, sunday - timedelta(days=28))
    rows = plan(org.rep, monday)
    assert {d: r["due"] for d, r in rows.items()} == {
        a_week.id: True, a_day.id: True, c_13.id: False, c_14.id: True, d_21.id: False, d_28.id: True}
    assert rows[c_14.id]["frequency_days"] == 14 and rows[d_28.id]["frequency_days"] == 28
    assert rows[c_14.id]["last_visit_on"] == sunday - timedelta(days=14)
    assert rows[c_14.id]["due_on"] == sunday and rows[c_13.id]["grade"] == "C"
    # the frequency is configuration
    app.config["VISIT_FREQUENCY_DAYS"] = {"A": 7, "B": 7, "C": 13, "D": 28}
    assert plan(org.rep, monday)[c_13.id]["due"] is True


def test_a_doctor_enters_the_plan_once_the_follow_up_is_done_or_past_due(org, make_doctor, met):
    done_early, waiting, nurse = (make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C"),
                                  make_doctor(org.hospital, "A", title="nurse"))
    meeting = met(done_early, waiting, nurse)
    day = meeting_day(meeting)
    monday = monday_of(day)
    assert plan(org.rep, monday, day + timedelta(days=1)) == {}  # nobody yet: the tasks are open, not due
    with on(day + timedelta(days=1)):
        followups.complete(org.rep, visit_task(meeting, done_early), outcome="committed")
        db.session.commit()
    rows = plan(org.rep, monday, day + timedelta(days=1))
    assert set(rows) == {done_early.id}
    # the follow-up visit is the last visit: the next one is due a grade's frequency later
    next_week = plan(org.rep, monday + timedelta(days=14))
    assert next_week[done_early.id]["last_visit_on"] == day + timedelta(days=1)
    # past due: the doctor waiting for a visit enters, overdue since the task's date; the nurse never
    later = plan(org.rep, monday_of(day + timedelta(days=8)), day + timedelta(days=9))
    assert set(later) == {done_early.id, waiting.id} or set(later) >= {waiting.id}
    assert nurse.id not in later
    row = later[waiting.id]
    assert row["due"] and row["last_visit_on"] is None and row["due_on"] == visit_task(meeting, waiting).due_on
    assert row["overdue"] is True


def test_another_reps_meeting_puts_the_doctor_in_their_plan_not_mine(org, make_doctor, met, make_user):
    colleague = make_user(Role.rep, province=org.province)
    doctor = make_doctor(org.hospital, "C")
    meeting = met(doctor, owner=colleague)
    monday = monday_of(meeting_day(meeting)) + timedelta(days=21)
    assert plan(org.rep, monday) == {} and set(plan(colleague, monday)) == {doctor.id}


def test_done_planned_and_rate_per_rep(org, make_doctor, met, make_user, make_province, make_hospital):
    first, second, later = (make_doctor(org.hospital, g) for g in ("A", "B", "C"))
    meeting = met(first, second, later)
    monday = monday_of(meeting_day(meeting)) + timedelta(days=21)
    visit(org.rep, later, monday - timedelta(days=3))  # C: not due this week
    visit(org.rep, first, monday + timedelta(days=1))  # due, and done on Tuesday
    rows = plan(org.rep, monday, monday + timedelta(days=3))
    assert rows[first.id]["done"] and rows[first.id]["overdue"] is False
    assert not rows[second.id]["done"] and rows[second.id]["due"]
    assert rows[later.id]["due"] is False
    other_rep = make_user(Role.rep, province=make_province(region=org.region))
    with on(monday + timedelta(days=3)):
        report = {r["rep_id"]: r for r in services.visit_report(org.pm, monday)}
        assert report[org.rep.id]["planned"] == 2 and report[org.rep.id]["done"] == 1
        assert report[org.rep.id]["rate"] == 0.5
        assert other_rep.id not in report
        regional = {r["rep_id"]: r for r in services.visit_report(org.rm, monday)}
        assert regional[other_rep.id]["planned"] == 0 and regional[other_rep.id]["rate"] is None
        mine = services.visit_report(org.rep, monday)
        assert [r["rep_id"] for r in mine] == [org.rep.id]
        assert services.visit_report(org.rep, monday + timedelta(days=700))[0]["rate"] == 0


def test_the_week_parameter(app):
    from datetime import date
    import pytest
    from meetings.errors import InvalidInput
    assert services.parse_week("2026-W51") == date(2026, 12, 14)
    assert services.week_text(date(2026, 12, 14)) == "2026-W51"
    for bad in ("2026-W54", "2026-51", "1999-W01", "2026-W00", "2026-w5"):
        with pytest.raises(InvalidInput):
            services.parse_week(bad)
    assert week_of(date(2026, 12, 14)) == "2026-W51"
