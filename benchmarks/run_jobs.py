"""How long `flask run-jobs` takes over thousands of overdue follow-up tasks,
and with nothing to do against the CLI's own start-up (issue 14).

Seeds `seed-demo --scale N` data (meetings/scale.py) into a fresh SQLite
file — and into PostgreSQL when BENCH_DATABASE_URL is set (its tables are
dropped and re-created) — then takes the follow-up week away (every task
deleted, every held meeting unmarked), so the first run does it all:
schedule the tasks of every held meeting (most of them past due), escalate
the overdue ones to their managers, remind, deliver (PostgreSQL is ANALYZEd
after seeding, as autovacuum keeps a running deployment). Times every job of the
first run and of a second, in process, and prints two rows per database:

- `run-jobs ms per task`: the first run's wall time over the overdue tasks it
  escalated (N = 600 meetings makes about 3,000);
- `run-jobs with nothing to do vs CLI start-up`: `flask --app wsgi run-jobs`
  on the up-to-date database against `flask --app wsgi --help`, each a
  subprocess, median of --repeat alternating runs.

Asserts nothing.

    python benchmarks/run_jobs.py [--meetings 600] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select, text, update  # noqa: E402

from benchmarks.seed import bench_app, reset_schema  # noqa: E402
from benchmarks.table import row  # noqa: E402
from meetings.extensions import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def seed(n: int) -> float:
    """seed_scale(n) without its follow-up tasks: the jobs make them."""
    from meetings.followups.models import FollowUp
    from meetings.proposals.models import Meeting
    from meetings.scale import seed_scale

    started = time.perf_counter()
    reset_schema()
    seed_scale(n)
    db.session.execute(delete(FollowUp))
    db.session.execute(update(Meeting).values(followups_scheduled_at=None))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # the planner's statistics, as autovacuum keeps them in a running
        # deployment (fresh tables have none, and the plans are a guess)
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return time.perf_counter() - started


def measure(url: str, n: int) -> dict:
    from meetings.followups.models import FollowUp
    from meetings.jobs import JOBS, run_job
    from meetings.notifications.models import Notification

    app = bench_app(url)
    out: dict = {"runs": []}
    with app.app_context():
        out["seeded"] = seed(n)
        for run in ("first", "second"):
            timings = {}
            for name in JOBS:
                started = time.perf_counter()
                run_job(name)
                timings[name] = time.perf_counter() - started
            out["runs"].append((run, timings, db.session.scalar(select(func.count(FollowUp.id))),
                                db.session.scalar(select(func.count(Notification.id)))))
        out["overdue"] = db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.escalated_at.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    return out


def wall(args: list[str], url: str) -> float:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(48), LOG_LEVEL="WARNING")
    env.pop("FLASK_DEBUG", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def idle_ratio(url: str, repeat: int) -> tuple[float, float]:
    """Median wall time of run-jobs on the up-to-date database and of the
    CLI's --help, alternating so load spikes hit both alike."""
    wall(["run-jobs"], url)  # untimed: the first start reads the modules from disk
    jobs, cli = [], []
    for _ in range(repeat):
        jobs.append(wall(["run-jobs"], url))
        cli.append(wall(["--help"], url))
    return statistics.median(jobs), statistics.median(cli)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=600, help="seed-demo --scale N")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each subprocess for the idle ratio")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-run-jobs-")
    targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite")]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    print(f"load average at start: {os.getloadavg()}")
    print(f"{'db':11} {'meetings':>8} {'run':6} {'schedule':>9} {'escalate':>9} {'remind':>7} {'purge':>6} "
          f"{'mail':>6} {'total s':>8} {'tasks':>7} {'notes':>7}  (seed s)")
    for label, url in targets:
        figures = measure(url, args.meetings)
        for run, timings, tasks, notes in figures["runs"]:
            print(f"{label:11} {args.meetings:8,} {run:6} {timings['schedule_followups']:9.2f} "
                  f"{timings['escalate_overdue']:9.2f} {timings['remind_day_before']:7.2f} "
                  f"{timings['purge_signatures']:6.2f} {timings['deliver_mail']:6.2f} "
                  f"{sum(timings.values()):8.2f} {tasks:7,} {notes:7,}  ({figures['seeded']:.1f})", flush=True)
        first = sum(figures["runs"][0][1].values())
        overdue = figures["overdue"]
        row(f"run-jobs ms per task, {overdue:,} overdue tasks ({label})", first * 1000 / max(overdue, 1),
            bar="≤ 0.3 ms")
        jobs, cli = idle_ratio(url, args.repeat)
        row(f"run-jobs with nothing to do vs CLI start-up, s ({label})", jobs, cli, "≤ 1.3×")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
