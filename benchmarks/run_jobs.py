"""How long `flask run-jobs` takes on many held meetings, first run and rerun.

Seeds N held meetings (3 primary invitees, 2 of them present, a walk-in;
held 0–40 days ago, so most tasks are overdue) into a fresh SQLite file —
and into PostgreSQL when BENCH_DATABASE_URL is set (its tables are dropped
and recreated) — then times every job of the first run and of a second.
Prints figures; asserts nothing.

    python benchmarks/run_jobs.py                 # N = 1,000 and 10,000
    BENCH_SIZES=500 BENCH_DATABASE_URL=postgresql+psycopg://…/bench python benchmarks/run_jobs.py
"""
from __future__ import annotations

import os
import secrets
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


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
    targets = []
    tmp = tempfile.mkdtemp(prefix="bench-run-jobs-")
    for n in sizes:
        targets.append((f"sqlite:///{tmp}/bench-{n}.sqlite", n))
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append((os.environ["BENCH_DATABASE_URL"], n))
    print(f"{'db':8} {'meetings':>8} {'run':6} {'schedule':>9} {'escalate':>9} {'remind':>7} "
          f"{'mail':>6} {'total s':>8} {'tasks':>7} {'notes':>7}  (seed s)")
    for url, n in targets:
        for db_name, size, run, timings, tasks, notes, seeded in measure(url, n):
            print(f"{db_name:8} {size:8,} {run:6} {timings['schedule_followups']:9.2f} "
                  f"{timings['escalate_overdue']:9.2f} {timings['remind_day_before']:7.2f} "
                  f"{timings['deliver_mail']:6.2f} {sum(timings.values()):8.2f} {tasks:7,} {notes:7,}"
                  f"  ({seeded:.1f})", flush=True)


if __name__ == "__main__":
    main()
