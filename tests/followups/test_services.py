from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.errors import Conflict, Forbidden, InvalidInput, NotFound
from meetings.extensions import db
from meetings.followups import services
from meetings.followups.models import FollowUp, FollowUpStatus, Outcome
from meetings.jobs import run_job
from meetings.notifications.models import Notification
from meetings.questions.models import Question

from .conftest import at_local, next_local


def tasks_of(meeting):
    return db.session.query(FollowUp).filter_by(meeting_id=meeting.id).order_by(FollowUp.id).all()


def by_person(meeting):
    return {(t.kind.value, t.doctor_id or t.walk_in_name): t for t in tasks_of(meeting)}


# ---------------------------------------------------------------- scheduling

def test_finishing_a_meeting_schedules_a_visit_per_person_present_and_a_gift_for_the_absent(
        org, hold, make_doctor):
    came, stayed_away = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = hold(primaries=[came, stayed_away], present=[came], walk_ins=["王护士"])
    tasks = by_person(meeting)
    assert set(tasks) == {("visit", came.id), ("visit", "王护士"), ("gift_delivery", stayed_away.id)}
    walk_in = tasks[("visit", "王护士")]
    assert walk_in.doctor_id is None and walk_in.walk_in_name == "王护士"
    assert all(t.assignee_id == org.rep.id and t.status == FollowUpStatus.open for t in tasks.values())
    assert meeting.followups_scheduled_at is not None


def test_dates_are_the_day_after_the_local_start_and_a_week_later(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    starts = next_local(15)
    meeting = hold(starts, primaries=[doctor], present=[doctor])
    task = tasks_of(meeting)[0]
    assert task.not_before == starts.date() + timedelta(days=1)
    assert task.due_on == starts.date() + timedelta(days=7)


def test_an_early_morning_meeting_counts_by_its_local_date_not_the_utc_one(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    starts = next_local(6, 30)  # 06:30 in Shanghai is 22:30 UTC the day before
    assert starts.astimezone(ZoneInfo("UTC")).date() == starts.date() - timedelta(days=1)
    meeting = hold(starts, primaries=[doctor], present=[doctor])
    task = tasks_of(meeting)[0]
    assert task.not_before == starts.date() + timedelta(days=1)
    assert task.due_on == starts.date() + timedelta(days=7)


def test_a_late_evening_meeting_in_a_zone_behind_utc_counts_by_its_local_date(app, org, hold, make_doctor):
    app.config["TIMEZONE"] = "America/Los_Angeles"
    zone = ZoneInfo("America/Los_Angeles")
    doctor = make_doctor(org.hospital, "C")
    starts = next_local(21, 30, zone=zone)  # 21:30 local is early morning UTC the next day
    assert starts.astimezone(ZoneInfo("UTC")).date() == starts.date() + timedelta(days=1)
    meeting = hold(starts, primaries=[doctor], present=[doctor])
    task = tasks_of(meeting)[0]
    assert task.not_before == starts.date() + timedelta(days=1)
    assert task.due_on == starts.date() + timedelta(days=7)


def test_a_promoted_backup_who_did_not_come_gets_the_gift_and_the_decliner_nothing(org, hold, make_doctor):
    chief, backup, other_backup = (make_doctor(org.hospital, "A") for _ in range(3))
    regular = make_doctor(org.hospital, "A")
    meeting = hold(primaries=[chief, regular], backups={chief: backup, regular: other_backup},
                   declined=[chief], present=[regular])
    assert set(by_person(meeting)) == {("visit", regular.id), ("gift_delivery", backup.id)}


def test_a_backup_who_came_unpromoted_gets_a_visit(org, hold, make_doctor):
    chief, backup = make_doctor(org.hospital, "A"), make_doctor(org.hospital, "A")
    meeting = hold(primaries=[chief], backups={chief: backup}, present=[chief, backup])
    assert set(by_person(meeting)) == {("visit", chief.id), ("visit", backup.id)}


def test_scheduling_twice_creates_nothing_new(org, hold, make_doctor):
    doctor, absent = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = hold(primaries=[doctor, absent], present=[doctor], walk_ins=["李"])
    assert services.schedule_for_meeting(meeting) == 0
    db.session.commit()
    assert len(tasks_of(meeting)) == 3


def test_only_held_meetings_get_tasks(org, make_meeting):
    meeting = make_meeting("approved")
    assert services.schedule_for_meeting(meeting) == 0
    assert tasks_of(meeting) == []


def test_a_paper_check_in_typed_in_after_the_meeting_turns_the_gift_into_a_visit(
        org, hold, make_doctor):
    from meetings.checkin.services import check_in

    late, absent = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = hold(primaries=[late, absent])
    assert set(by_person(meeting)) == {("gift_delivery", late.id), ("gift_delivery", absent.id)}
    with time_machine.travel(meeting.starts_at + timedelta(hours=3)):
        check_in(org.rep, meeting, doctor_id=late.id, source="paper", checked_in_at=meeting.starts_at)
        db.session.commit()
    assert meeting.followups_scheduled_at is None
    assert run_job("schedule_followups") == {"meetings": 1, "tasks": 1}
    assert set(by_person(meeting)) == {("visit", late.id), ("gift_delivery", absent.id)}
    assert run_job("schedule_followups") == {"meetings": 0, "tasks": 0}


def test_the_job_schedules_held_meetings_that_were_missed_once(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    meeting = hold(primaries=[doctor], present=[doctor])
    db.session.query(FollowUp).delete()
    meeting.followups_scheduled_at = None
    db.session.commit()
    assert run_job("schedule_followups") == {"meetings": 1, "tasks": 1}
    assert run_job("schedule_followups") == {"meetings": 0, "tasks": 0}
    # even without the mark, the unique key refuses a second copy
    meeting.followups_scheduled_at = None
    db.session.commit()
    assert run_job("schedule_followups") == {"meetings": 1, "tasks": 0}
    assert len(tasks_of(meeting)) == 1


# ---------------------------------------------------------------- visibility

def test_who_sees_which_tasks(org, hold, make_doctor, make_user, make_province, make_region):
    doctor = make_doctor(org.hospital, "C")
    hold(primaries=[doctor], present=[doctor])
    other_rep = make_user("rep", province=org.province)
    elsewhere = make_province()
    outsider_pm = make_user("provincial_manager", province=elsewhere)
    outsider_rm = make_user("regional_manager", region=make_region())
    def seen(user):
        return len(db.session.scalars(services.list_followups(user)).all())
    assert [seen(u) for u in (org.rep, org.pm, org.rm, org.admin, org.marketing)] == [1] * 5
    assert [seen(u) for u in (other_rep, outsider_pm, outsider_rm, org.staff)] == [0] * 4
    task_id = db.session.query(FollowUp).one().id
    with pytest.raises(NotFound):
        services.get_followup(other_rep, task_id)


# ---------------------------------------------------------------- completing

def test_the_assignee_completes_with_an_outcome_and_a_question_for_marketing(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    meeting = hold(primaries=[doctor], present=[doctor])
    task = tasks_of(meeting)[0]
    services.complete(org.rep, task, outcome="committed", notes="同意试用", question="儿童剂量?")
    db.session.commit()
    assert task.status == FollowUpStatus.done and task.outcome == Outcome.committed
    assert task.completed_at is not None and task.notes == "同意试用"
    question = db.session.query(Question).one()
    assert (question.meeting_id, question.doctor_id, question.text) == (meeting.id, doctor.id, "儿童剂量?")
    # a retried request changes nothing; a different question is refused
    services.complete(org.rep, task, outcome="committed", notes="同意试用", question="儿童剂量?")
    assert db.session.query(Question).count() == 1
    with pytest.raises(Conflict):
        services.complete(org.rep, task, outcome="committed", question="另一个问题")


@pytest.mark.parametrize("outcome", [None, "", "maybe", "done"])
def test_the_outcome_must_be_committed_ambiguous_or_declined(org, hold, make_doctor, outcome):
    doctor = make_doctor(org.hospital, "C")
    task = tasks_of(hold(primaries=[doctor], present=[doctor]))[0]
    with pytest.raises(InvalidInput) as error:
        services.complete(org.rep, task, outcome=outcome)
    assert error.value.field == "outcome"
    assert task.status == FollowUpStatus.open


def test_a_task_can_only_be_marked_done(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    task = tasks_of(hold(primaries=[doctor], present=[doctor]))[0]
    with pytest.raises(InvalidInput) as error:
        services.complete(org.rep, task, outcome="committed", status="open")
    assert error.value.field == "status" and task.status == FollowUpStatus.open
    services.complete(org.rep, task, outcome="committed", status="done")
    assert task.status == FollowUpStatus.done


def test_nobody_else_completes_someone_elses_task(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    task = tasks_of(hold(primaries=[doctor], present=[doctor]))[0]
    for user in (org.pm, org.rm, org.admin, org.staff):
        with pytest.raises(Forbidden):
            services.complete(user, task, outcome="ambiguous")


# ---------------------------------------------------------------- overdue

def test_overdue_is_open_and_past_the_local_due_date(org, hold, make_doctor):
    doctor, other = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = hold(primaries=[doctor, other], present=[doctor, other])
    first, second = tasks_of(meeting)
    due = first.due_on
    def overdue_ids():
        return [t.id for t in db.session.scalars(services.list_followups(org.rep, status="overdue"))]
    with time_machine.travel(at_local(due, 23)):  # the last day, late evening: not yet
        assert not services.is_overdue(first) and overdue_ids() == []
    with time_machine.travel(at_local(due + timedelta(days=1), 0)):  # local midnight (16:00 UTC)
        assert services.is_overdue(first) and overdue_ids() == [first.id, second.id]
        services.complete(org.rep, second, outcome="declined")
        db.session.commit()
        assert not services.is_overdue(second) and overdue_ids() == [first.id]


def test_groups_for_the_reps_list(org, hold, make_doctor):
    doctors = [make_doctor(org.hospital, "C") for _ in range(2)]
    meeting = hold(primaries=doctors, present=doctors)
    a, b = tasks_of(meeting)
    services.complete(org.rep, b, outcome="ambiguous")
    day = a.due_on
    assert services.groups([a, b], day)["today"] == [a]
    assert services.groups([a, b], day + timedelta(days=1))["overdue"] == [a]
    assert services.groups([a, b], day - timedelta(days=3))["week"] == [a]
    assert services.groups([a, b], day - timedelta(days=8))["later"] == [a]
    assert services.groups([a, b], day)["done"] == [b]


# ---------------------------------------------------------------- escalation

def test_the_provincial_manager_is_told_once_per_overdue_task_across_runs(org, hold, make_doctor, make_user):
    second_pm = make_user("provincial_manager", province=org.province)
    doctors = [make_doctor(org.hospital, "C") for _ in range(2)]
    meeting = hold(primaries=doctors, present=doctors)
    first, second = tasks_of(meeting)
    assert run_job("escalate_overdue") == {"overdue_tasks": 0, "notified": 0}
    with time_machine.travel(at_local(first.due_on + timedelta(days=1))):
        services.complete(org.rep, second, outcome="committed")
        db.session.commit()
        assert run_job("escalate_overdue") == {"overdue_tasks": 1, "notified": 2}
        assert run_job("escalate_overdue") == {"overdue_tasks": 0, "notified": 0}
    with time_machine.travel(at_local(first.due_on + timedelta(days=5))):
        first.escalated_at = None  # even unmarked, the key tells each person once
        db.session.commit()
        assert run_job("escalate_overdue") == {"overdue_tasks": 1, "notified": 0}
    told = (db.session.query(Notification).filter(Notification.kind == "followup_overdue")
            .order_by(Notification.user_id).all())
    assert [(n.user_id, n.key) for n in told] == [(org.pm.id, f"overdue:followup:{first.id}"),
                                                  (second_pm.id, f"overdue:followup:{first.id}")]
    assert told[0].link == f"/followups/{first.id}"


def test_a_managers_own_overdue_task_goes_to_the_regional_manager(org, hold, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    task = tasks_of(hold(primaries=[doctor], present=[doctor], owner=org.pm))[0]
    assert task.assignee_id == org.pm.id
    with time_machine.travel(at_local(task.due_on + timedelta(days=1))):
        run_job("escalate_overdue")
    overdue = db.session.query(Notification).filter(Notification.kind == "followup_overdue")
    assert [n.user_id for n in overdue] == [org.rm.id]


# ---------------------------------------------------------------- day-before reminder

def test_the_owner_is_reminded_once_the_day_before_with_whom_to_reconfirm_and_the_checklist(
        org, make_meeting, make_doctor):
    from meetings.invitees.services import add_invitee, confirm
    from meetings.proposals import services as proposals

    key, backup, confirmed = (make_doctor(org.hospital, "A") for _ in range(3))
    confirmed_backup = make_doctor(org.hospital, "A")
    starts = next_local(9, days=3)
    meeting = make_meeting("draft", starts_at=starts)
    row = add_invitee(org.rep, meeting, doctor_id=key.id, role="primary")
    add_invitee(org.rep, meeting, doctor_id=backup.id, role="backup", backup_for=row.id)
    done = add_invitee(org.rep, meeting, doctor_id=confirmed.id, role="primary")
    add_invitee(org.rep, meeting, doctor_id=confirmed_backup.id, role="backup", backup_for=done.id)
    proposals.submit(org.rep, meeting)
    proposals.approve(org.pm, meeting)
    confirm(org.rep, meeting, done)
    db.session.commit()
    with time_machine.travel(at_local(starts.date() - timedelta(days=2), 20)):
        assert run_job("remind_day_before") == {"reminded": 0}
    with time_machine.travel(at_local(starts.date() - timedelta(days=1), 9)):
        assert run_job("remind_day_before") == {"reminded": 1}
        assert run_job("remind_day_before") == {"reminded": 0}
    note = db.session.query(Notification).filter(Notification.kind == "day_before").one()
    assert note.user_id == org.rep.id and note.key == f"reminder:meeting:{meeting.id}"
    assert f"· {key.name}" in note.body.splitlines()  # one line per person
    assert key.name in note.body and backup.name in note.body and confirmed.name not in note.body
    from meetings.agenda.services import label_of, unticked
    assert all(label_of(item) in note.body for item in unticked(meeting))
