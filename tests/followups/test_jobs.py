"""Exactly once: the jobs run twice, in three processes at once (PostgreSQL),
and killed with SIGKILL half way then run again."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.jobs import JOBS, run_job
from meetings.notifications.models import Notification, OutgoingMail
from meetings.proposals.models import Meeting
from meetings.types import utcnow

from .conftest import next_local

pytestmark = pytest.mark.real_commits  # jobs in processes of their own, and a run killed half way

ROOT = Path(__file__).resolve().parent.parent.parent
on_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs TEST_DATABASE_URL=postgresql+psycopg://…")


@pytest.fixture
def meetings(org, hold, make_doctor):
    """n held meetings (a doctor came, one did not, a walk-in) whose tasks do
    not exist yet — as if finish had not scheduled them — and which lie far
    enough back that every task is overdue today."""
    def make(n):
        made = []
        for i in range(n):
            came, absent = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
            made.append(hold(primaries=[came, absent], present=[came], walk_ins=[f"护士{i}"]).id)
        db.session.query(FollowUp).delete()
        db.session.execute(update(Meeting).values(followups_scheduled_at=None,
                                                  starts_at=utcnow() - timedelta(days=10)))
        db.session.commit()
        return made
    return make


def counts():
    db.session.expire_all()
    tasks = db.session.scalar(select(func.count(FollowUp.id)))
    distinct = db.session.scalar(select(func.count()).select_from(
        select(FollowUp.meeting_id, FollowUp.subject, FollowUp.kind).distinct().subquery()))
    notes = db.session.scalar(select(func.count(Notification.id)).where(  # the jobs' own messages
        Notification.key.like("overdue:%") | Notification.key.like("reminder:%")))
    scheduled = db.session.scalar(select(func.count(Meeting.id))
                                  .where(Meeting.followups_scheduled_at.is_not(None)))
    db.session.commit()  # on SQLite every transaction holds the write lock: let others in
    return {"tasks": tasks, "distinct_tasks": distinct, "notifications": notes, "scheduled": scheduled}


def run_all_jobs() -> dict[str, dict]:
    return {name: run_job(name) for name in JOBS}


def test_every_job_run_twice_creates_each_task_and_message_once(org, meetings):
    meetings(2)
    first = run_all_jobs()
    assert first["schedule_followups"] == {"meetings": 2, "tasks": 6}
    assert first["escalate_overdue"] == {"overdue_tasks": 6, "notified": 6}
    again = run_all_jobs()
    assert again["schedule_followups"] == {"meetings": 0, "tasks": 0}
    assert again["escalate_overdue"] == {"overdue_tasks": 0, "notified": 0}
    assert counts() == {"tasks": 6, "distinct_tasks": 6, "notifications": 6, "scheduled": 2}


def _flask(database_url, *args, **kw):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret-key-0123456789abcdef-0123")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


@pytest.mark.postgres
@on_postgres
def test_three_run_jobs_processes_at_once_create_each_task_and_notification_once(
        org, meetings, make_meeting, database_url):
    meetings(4)
    tomorrow = make_meeting("approved", starts_at=next_local(10, days=1)).id
    org.pm.email, org.rep.email = "pm@example.com", "rep@example.com"
    db.session.commit()
    db.session.remove()
    procs = [_flask(database_url, "run-jobs") for _ in range(3)]
    outputs = [proc.communicate(timeout=180)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    assert all("schedule_followups" in out and "remind_day_before" in out for out in outputs)
    # 4 meetings × 3 tasks, each overdue: the manager told once per task; one reminder
    assert counts() == {"tasks": 12, "distinct_tasks": 12, "notifications": 13, "scheduled": 4}
    keys = db.session.scalars(select(Notification.key).where(  # the jobs' own messages
        Notification.key.like("overdue:%") | Notification.key.like("reminder:%"))).all()
    assert sorted(keys) == sorted([f"overdue:followup:{i}" for i in
                                   db.session.scalars(select(FollowUp.id))]
                                  + [f"reminder:meeting:{tomorrow}"])
    assert db.session.scalar(select(func.count(OutgoingMail.id)).join(
        Notification, Notification.id == OutgoingMail.notification_id).where(
        Notification.key.like("overdue:%") | Notification.key.like("reminder:%"))) == 13


KILLABLE = textwrap.dedent("""
    import sys
    from meetings import create_app
    from meetings import jobs
    from meetings.followups import services

    def stop_after_first(meeting_id):
        print("committed", meeting_id, flush=True)
        sys.stdin.readline()  # blocks until the test kills us

    jobs.JOBS["schedule_followups"].func = lambda: services.schedule_pending(
        batch=int(sys.argv[2]), after_each=stop_after_first)
    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    with app.app_context():
        jobs.run_job("schedule_followups")
""")


@pytest.mark.parametrize("batch", [1, 2])
def test_a_run_killed_half_way_keeps_what_it_committed_and_a_rerun_finishes(org, meetings, database_url,
                                                                             batch):
    """The job commits `batch` meetings at a time; killed after the first
    commit, the first batch's tasks stay and a rerun schedules the rest."""
    made = meetings(3)
    db.session.remove()
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, database_url, str(batch)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("committed"), line + proc.stdout.read()
        proc.send_signal(signal.SIGKILL)  # holding the job lock, between two meetings
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert counts() == {"tasks": 3 * batch, "distinct_tasks": 3 * batch, "notifications": 0,
                        "scheduled": batch}
    assert sorted(db.session.scalars(select(FollowUp.meeting_id).distinct())) == made[:batch]
    db.session.remove()
    # the lock died with the process: a new run does not wait for it
    rerun = _flask(database_url, "run-jobs", "--job", "schedule_followups")
    out = rerun.communicate(timeout=120)[0]
    assert rerun.returncode == 0, out
    assert f"'meetings': {3 - batch}, 'tasks': {3 * (3 - batch)}" in out
    assert counts() == {"tasks": 9, "distinct_tasks": 9, "notifications": 0, "scheduled": 3}
