"""The read side against its floor: the meeting list and staff check-ins under
gunicorn, each next to a hello-world Flask app on the same server settings.

Seeds two SQLite files (or, with BENCH_DATABASE_URL, PostgreSQL for the
large one — its tables are dropped and re-created) with `seed-demo --scale`
data: SMALL and LARGE meetings; a meeting in progress with CHECKINS invitees
for the staff phase. Prints figures as rows of `figure, value, floor, ratio`
(the `make bench` table); asserts nothing.

    python benchmarks/read_layer.py [--rounds 3] [--small 200] [--large 20000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402

from benchmarks.checkin_http import Server, no_prepare, run_phase  # noqa: E402
from benchmarks.seed import PASSWORD, bench_app, reset_schema  # noqa: E402
from meetings.extensions import db  # noqa: E402

CHECKINS = 2000
WORKERS, THREADS = 3, 4


def seed(database_url: str, meetings: int) -> dict:
    """`seed-demo --scale` rows, an admin and the province's staff with a
    password, and a meeting in progress with CHECKINS invitees."""
    from meetings.auth.models import Role, User
    from meetings.doctors.models import Doctor
    from meetings.invitees.models import Invitee, InviteeRole
    from meetings.proposals.models import Meeting, Status
    from meetings.scale import seed_scale
    from meetings.types import utcnow

    app = bench_app(database_url)
    with app.app_context():
        reset_schema()
        seed_scale(meetings)
        admin = User(username="bench-admin", display_name="admin", role=Role.admin)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).first()
        staff = db.session.scalar(select(User).where(User.role == Role.staff,
                                                     User.province_id == meeting.province_id))
        staff.set_password(PASSWORD)
        meeting.status, meeting.starts_at = Status.in_progress, utcnow() - timedelta(minutes=5)
        doctors = db.session.execute(insert(Doctor).returning(Doctor.id, sort_by_parameter_order=True), [
            {"department_id": meeting.department_id, "name": f"签到医生{i}", "title": "attending",
             "position": "outpatient", "potential": Decimal(50), "support": Decimal(10)}
            for i in range(CHECKINS)]).scalars().all()
        db.session.execute(insert(Invitee), [
            {"meeting_id": meeting.id, "doctor_id": d, "role": InviteeRole.primary} for d in doctors])
        db.session.commit()
        figures = {"meeting_id": meeting.id, "doctor_ids": doctors, "admin": admin.username,
                   "staff": staff.username, "statements": statements_per_page(app, admin.id)}
        db.engine.dispose()
    return figures


def statements_per_page(app, admin_id: int) -> dict[int, int]:
    """SQL statements one GET /api/v1/meetings runs, by page size (in process)."""
    from meetings.auth.services import issue_token
    from meetings.auth.models import User

    token = issue_token(db.session.get(User, admin_id))
    counts = {}
    client = app.test_client()
    for size in (1, 50, 200):
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get(f"/api/v1/meetings?page_size={size}",
                                  headers={"Authorization": f"Bearer {token}"})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200, response.status_code
        counts[size] = len(seen)
    return counts


def token_for(port: int, username: str) -> str:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": username, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"token for {username}: {response.status} {body[:200]!r}")
    return json.loads(body)["token"]


def get_phase(name, port, path, headers, *, clients=8, total=400):
    return run_phase(name, port, clients=clients, total=total, seconds=30, prepare=no_prepare,
                     make=lambda _c, _s, _i: ("GET", path, None, headers, 200))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-read-"))
    small_url = f"sqlite:///{tmp / 'small.sqlite'}"
    large_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'large.sqlite'}"
    small, large = seed(small_url, args.small), seed(large_url, args.large)

    hello = Server(small_url, WORKERS, THREADS, app="benchmarks.hello:app", ready_path="/")
    servers = {"small": Server(small_url, WORKERS, THREADS), "large": Server(large_url, WORKERS, THREADS)}
    rows: dict[str, list[float]] = {}
    try:
        for server in (hello, *servers.values()):
            server.wait_ready()
        auth = {k: {"Authorization": "Bearer " + token_for(s.port, "bench-admin")} for k, s in servers.items()}
        staff = {"Authorization": "Bearer " + token_for(servers["small"].port, small["staff"]),
                 "Content-Type": "application/json"}
        doctor_ids = iter(small["doctor_ids"])
        for _round in range(args.rounds):
            floor = get_phase("hello", hello.port, "/", {})
            lists = {k: get_phase(f"list {k}", s.port, "/api/v1/meetings?page_size=50", auth[k])
                     for k, s in servers.items()}
            floor16 = run_phase("hello 16", hello.port, clients=16, total=300, seconds=30, prepare=no_prepare,
                                make=lambda _c, _s, _i: ("GET", "/", None, {}, 200))
            path = f"/api/v1/meetings/{small['meeting_id']}/checkins"
            checkin = run_phase(
                "staff check-in", servers["small"].port, clients=16, total=300, seconds=30,
                prepare=no_prepare,
                make=lambda _c, _s, _i: ("POST", path, json.dumps({"doctor_id": next(doctor_ids)}).encode(),
                                         staff, 201))
            for key, value in (
                    ("list p50 / hello p50", lists["small"].pct(0.5) / floor.pct(0.5)),
                    (f"list at {args.large} / at {args.small} (p50)", lists["large"].pct(0.5) / lists["small"].pct(0.5)),
                    ("staff check-in p50 / hello p50 (16 clients)", checkin.pct(0.5) / floor16.pct(0.5)),
                    ("staff check-in p95 / hello p95 (16 clients)", checkin.pct(0.95) / floor16.pct(0.95)),
                    ("staff check-in throughput / hello throughput", checkin.rps / floor16.rps),
                    ("list p50 ms", lists["small"].pct(0.5)), ("hello p50 ms", floor.pct(0.5)),
                    ("check-in errors", float(checkin.errors))):
                rows.setdefault(key, []).append(value)
    finally:
        for server in (hello, *servers.values()):
            server.stop()
    print(f"{'figure':52} {'median':>9}  runs")
    for key, values in rows.items():
        print(f"{key:52} {statistics.median(values):9.2f}  {', '.join(f'{v:.2f}' for v in values)}")
    for size, count in small["statements"].items():
        print(f"{f'SQL statements, page of {size} ({args.small} meetings)':52} {count:9d}")
    for size, count in large["statements"].items():
        print(f"{f'SQL statements, page of {size} ({args.large} meetings)':52} {count:9d}")


if __name__ == "__main__":
    main()
