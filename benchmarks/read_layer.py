"""The read side against its floor: the meeting list under gunicorn, next to
a hello-world Flask app on the same server settings, and its SQL statements
by page size. (The staff check-in's figures: benchmarks/checkin_http.py.)

Seeds two SQLite files (or, with BENCH_DATABASE_URL, PostgreSQL for the
large one — its tables are dropped and re-created) with `seed-demo --scale`
data: SMALL and LARGE meetings. Prints figures as rows of `figure, value,
floor, ratio` (the `make bench` table); asserts nothing.

    python benchmarks/read_layer.py [--rounds 3] [--small 200] [--large 20000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.checkin_http import Server, no_prepare, run_phase, token_for  # noqa: E402
from benchmarks.seed import add_admin, bench_app, on_statements, reset_schema  # noqa: E402
from benchmarks.table import row  # noqa: E402
from meetings.extensions import db  # noqa: E402

WORKERS, THREADS = 3, 4


def seed(database_url: str, meetings: int) -> dict:
    """`seed-demo --scale` rows and an admin with a password."""
    from meetings.scale import seed_scale

    app = bench_app(database_url)
    with app.app_context():
        reset_schema()
        seed_scale(meetings)
        admin = add_admin()
        db.session.commit()
        figures = {"admin": admin.username, "statements": statements_per_page(app, admin.id)}
        db.engine.dispose()
    return figures


def statements_per_page(app, admin_id: int) -> dict[int, int]:
    """SQL statements one GET /api/v1/meetings runs, by page size (in process)."""
    from meetings.auth.services import issue_token
    from meetings.auth.models import User

    token = issue_token(db.session.get(User, admin_id))
    counts = {}
    client = app.test_client()
    for size in (1, 50, 500):
        seen = []
        with on_statements(db.engine, lambda *statement, seen=seen: seen.append(statement)):
            response = client.get(f"/api/v1/meetings?page_size={size}",
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.status_code
        counts[size] = len(seen)
    return counts


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
    seed(small_url, args.small)
    large = seed(large_url, args.large)

    hello = Server(small_url, WORKERS, THREADS, app="benchmarks.hello:app", ready_path="/")
    servers = {"small": Server(small_url, WORKERS, THREADS), "large": Server(large_url, WORKERS, THREADS)}
    rows: dict[str, list[float]] = {}
    try:
        for server in (hello, *servers.values()):
            server.wait_ready()
        auth = {k: {"Authorization": "Bearer " + token_for(s.port, "bench-admin")} for k, s in servers.items()}
        for k, s in servers.items():  # untimed: every worker has served the list once
            get_phase("warm-up", s.port, "/api/v1/meetings?page_size=50", auth[k], total=24)
        get_phase("warm-up", hello.port, "/", {}, total=24)
        for _round in range(args.rounds):
            floor = get_phase("hello", hello.port, "/", {})
            lists = {k: get_phase(f"list {k}", s.port, "/api/v1/meetings?page_size=50", auth[k])
                     for k, s in servers.items()}
            for key, value in (("list", lists["small"].pct(0.5)), ("hello", floor.pct(0.5)),
                               ("list large", lists["large"].pct(0.5)),
                               ("list errors", lists["small"].errors + lists["large"].errors)):
                rows.setdefault(key, []).append(value)
    finally:
        for server in (hello, *servers.values()):
            server.stop()
    m = {key: statistics.median(values) for key, values in rows.items()}
    row("GET /api/v1/meetings p50 vs hello p50 (ms)", m["list"], m["hello"], "≤ 5×")
    for size, count in large["statements"].items():
        row(f"SQL statements, GET /meetings page of {size}", count, bar="≤ 15, constant")
    row(f"meeting list p50 at {args.large:,} vs {args.small:,} meetings (ms)", m["list large"], m["list"], "≤ 1.3×")
    row("meeting list errors", m["list errors"], bar="0")


if __name__ == "__main__":
    main()
