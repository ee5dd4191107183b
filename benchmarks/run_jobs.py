"""How long `flask run-jobs` takes on many held meetings, first run and rerun.

Seeds N held meetings (3 primary invitees, 2 of them present, a walk-in;
held 0–40 days ago, so most tasks are overdue) into a fresh SQLite file —
and into PostgreSQL when BENCH_DATABASE_URL is set (its tables are dropped
and recreated) — then times every job of the first run and of a second.
Prints figures; asserts nothing. Two rows per database are the bars of
issue 14: `run-jobs ms per task (N overdue tasks)` — the first run's wall
time over the overdue tasks it escalated (N = 1,000 meetings makes ~3,200) —
and `run-jobs with nothing to do / CLI start-up` — `flask --app wsgi run-jobs`
on the up-to-date database against `flask --app wsgi --help`, each a
subprocess, median of BENCH_REPEAT (5) alternating runs.

    python benchmarks/run_jobs.py                 # N = 1,000
    BENCH_SIZES=500 BENCH_DATABASE_URL=postgresql+psycopg://…/bench python benchmarks/run_jobs.py
"""
from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402

CHUNK = 2000
ROOT = Path(__file__).resolve().parent.parent


def seed(n: int) -> None:
    from meetings.auth.models import Role, User
    from meetings.checkin.models import CheckIn
    from meetings.doctors.models import Department, Doctor, Hospital
    from meetings.invitees.models import Invitee
    from meetings.orgs.models import Province, Region
    from meetings.proposals.models import Meeting
    from meetings.types import utcnow

    region = Region(name="华东")
    db.session.add(region)
    db.session.flush()
    province = Province(name="江苏", region_id=region.id, approval_limit=Decimal("5000"))
    db.session.add(province)
    db.session.flush()
    users = [User(username=u, display_name=u, role=r, province_id=province.id, region_id=region.id,
                  password_hash="x", email=f"{u}@example.com")
             for u, r in (("rep", Role.rep), ("pm", Role.provincial_manager))]
    db.session.add_all(users)
    hospital = Hospital(name="医院", level="tertiary", city="南京", province_id=province.id)
    db.session.add(hospital)
    db.session.flush()
    department = Department(hospital_id=hospital.id, name="心内科", headcount=30)
    db.session.add(department)
    db.session.flush()
    doctors = [Doctor(department_id=department.id, name=f"医生{i}", title="attending",
                      position="outpatient", potential=Decimal(50), support=Decimal(10)) for i in range(60)]
    db.session.add_all(doctors)
    db.session.commit()
    rep, doctor_ids, now = users[0], [d.id for d in doctors], utcnow()
    for start in range(0, n, CHUNK):
        rows = range(start, min(n, start + CHUNK))
        ids = db.session.execute(insert(Meeting).returning(Meeting.id), [dict(
            owner_id=rep.id, province_id=province.id, hospital_id=hospital.id,
            department_id=department.id, topic=f"会{i}", purpose="usage_dosage", audience="prescribers",
            format="in_department", venue="示教室", starts_at=now - timedelta(days=i % 40, hours=3),
            expected_attendees=12, status="held", checkin_token=secrets.token_urlsafe(24))
            for i in rows]).scalars().all()
        invitees, checkins = [], []
        for k, meeting_id in enumerate(ids):
            picked = [doctor_ids[(k * 3 + j) % len(doctor_ids)] for j in range(3)]
            invitees += [dict(meeting_id=meeting_id, doctor_id=d, role="primary",
                              status="attended" if j < 2 else "invited") for j, d in enumerate(picked)]
            checkins += [dict(meeting_id=meeting_id, doctor_id=d, name=f"医生{d}", title="attending",
                              source="staff", checked_in_at=now, recorded_at=now, created_by_id=rep.id)
                         for d in picked[:2]]
            checkins.append(dict(meeting_id=meeting_id, doctor_id=None, name="护士", title="nurse",
                                 source="staff", checked_in_at=now, recorded_at=now, created_by_id=rep.id))
        db.session.execute(insert(Invitee), invitees)
        db.session.execute(insert(CheckIn), checkins)
        db.session.commit()


def measure(url: str, n: int) -> list[tuple]:
    from meetings.followups.models import FollowUp
    from meetings.jobs import JOBS, run_job
    from meetings.notifications.models import Notification

    app = create_app({"SECRET_KEY": "bench-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": url})
    rows = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        t = time.perf_counter()
        seed(n)
        seeded = time.perf_counter() - t
        for run in ("first", "second"):
            timings = {}
            for name in JOBS:
                t = time.perf_counter()
                run_job(name)
                timings[name] = time.perf_counter() - t
            tasks = db.session.scalar(select(func.count(FollowUp.id)))
            notes = db.session.scalar(select(func.count(Notification.id)))
            rows.append((url.split(":")[0].split("+")[0], n, run, timings, tasks, notes, seeded))
        db.session.remove()
        db.engine.dispose()
    return rows


def wall(args: list[str], url: str) -> float:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def idle_ratio(url: str, repeat: int) -> tuple[float, float]:
    """Median wall time of run-jobs on the up-to-date database and of the
    CLI's --help, alternating so load spikes hit both alike."""
    jobs, cli = [], []
    for _ in range(repeat):
        jobs.append(wall(["run-jobs"], url))
        cli.append(wall(["--help"], url))
    return statistics.median(jobs), statistics.median(cli)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000").split(",")]
    targets = []
    tmp = tempfile.mkdtemp(prefix="bench-run-jobs-")
    for n in sizes:
        targets.append((f"sqlite:///{tmp}/bench-{n}.sqlite", n))
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append((os.environ["BENCH_DATABASE_URL"], n))
    print(f"{'db':8} {'meetings':>8} {'run':6} {'schedule':>9} {'escalate':>9} {'remind':>7} "
          f"{'mail':>6} {'total s':>8} {'tasks':>7} {'notes':>7}  (seed s)")
    summary = []
    for url, n in targets:
        for db_name, size, run, timings, tasks, notes, seeded in measure(url, n):
            print(f"{db_name:8} {size:8,} {run:6} {timings['schedule_followups']:9.2f} "
                  f"{timings['escalate_overdue']:9.2f} {timings['remind_day_before']:7.2f} "
                  f"{timings['deliver_mail']:6.2f} {sum(timings.values()):8.2f} {tasks:7,} {notes:7,}"
                  f"  ({seeded:.1f})", flush=True)
            if run == "first":
                first = sum(timings.values())
        overdue = overdue_tasks(url)
        jobs, cli = idle_ratio(url, int(os.environ.get("BENCH_REPEAT", "5")))
        summary.append((db_name, n, first, overdue, jobs, cli))
    print(f"\nload average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f}")
    for db_name, n, first, overdue, jobs, cli in summary:
        print(f"{db_name:8} {n:6,} meetings  run-jobs ms per task ({overdue:,} overdue tasks) "
              f"{first * 1000 / max(overdue, 1):7.3f}   (bar ≤ 0.3)")
        print(f"{db_name:8} {n:6,} meetings  run-jobs with nothing to do / CLI start-up "
              f"{jobs / cli:7.2f}   ({jobs:.2f} s / {cli:.2f} s; bar ≤ 1.3)")


def overdue_tasks(url: str) -> int:
    from meetings.followups.models import FollowUp

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        count = db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.escalated_at.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    return count


if __name__ == "__main__":
    main()
