"""Reports, dashboards and exports over 20,000 meetings against the same over 200.

Seeds a fresh SQLite file per size (with BENCH_DATABASE_URL, PostgreSQL as
well — its tables are dropped and re-created) with `seed-demo --scale` data,
then times, in-process, the median of a few rounds of:

- the report service (admin: everything, by rep / province / region; a
  provincial manager: their province by rep),
- GET /api/v1/reports/meetings and GET /dashboard (a provincial manager,
  page rendering included; an admin's region view),
- the CSV and XLSX exports of every meeting an admin sees.

Prints `figure, small ms, large ms, ratio, statements small/large`; the rows
behind the admin's figures grow 100×, a province's about 6× (seed_scale spreads
meetings over more provinces as it grows). Asserts nothing.

    python benchmarks/reports.py [--rounds 3] [--small 200] [--large 20000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.seed import PASSWORD, add_admin, bench_app, on_statements, reset_schema  # noqa: E402
from benchmarks.table import row  # noqa: E402
from meetings.extensions import db  # noqa: E402


def seed(app, meetings: int) -> dict:
    from meetings.auth.models import Role, User
    from meetings.proposals.models import Meeting
    from meetings.scale import seed_scale

    with app.app_context():
        reset_schema()
        seed_scale(meetings)
        admin = add_admin()
        busiest = db.session.execute(select(Meeting.province_id, func.count()).group_by(Meeting.province_id)
                                     .order_by(func.count().desc())).first()
        pm = db.session.scalar(select(User).where(User.role == Role.provincial_manager,
                                                  User.province_id == busiest[0]))
        pm.set_password(PASSWORD)
        db.session.commit()
        return {"admin": admin.username, "pm": pm.username, "province_meetings": busiest[1]}


def measure(fn, rounds: int) -> tuple[float, int]:
    """(median ms, SQL statements of one call)."""
    statements = []
    times = []
    for i in range(rounds + 1):  # the first call warms caches and is not timed
        counting = on_statements(db.engine, lambda *statement: statements.append(statement))
        with counting if i == 1 else nullcontext():
            start = time.perf_counter()
            fn()
            if i:
                times.append((time.perf_counter() - start) * 1000)
        db.session.remove()
    return statistics.median(times), len(statements)


def figures(database_url: str, meetings: int, rounds: int) -> dict[str, tuple[float, int]]:
    from meetings.auth.models import User
    from meetings.reports import dashboards
    from meetings.reports.services import Period, meeting_report

    app = bench_app(database_url)
    app.config["WTF_CSRF_ENABLED"] = False  # the page client logs in with a plain POST
    who = seed(app, meetings)
    out = {}
    with app.app_context():
        def user(name):
            return db.session.scalar(select(User).where(User.username == name))
        for group_by in ("rep", "province", "region"):
            out[f"report service, admin, by {group_by}"] = measure(
                lambda g=group_by: meeting_report(user(who["admin"]), g, Period()), rounds)
        out["report service, provincial manager, by rep"] = measure(
            lambda: meeting_report(user(who["pm"]), "rep", Period()), rounds)
        out["dashboard service, provincial manager"] = measure(
            lambda: dashboards.dashboard(user(who["pm"]), dashboards.default_period()), rounds)

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": who["admin"], "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def get(path, via=client, **kw):
        response = via.get(path, **kw)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data()  # a streamed body is read to its end

    with app.app_context():
        out["GET /api/v1/reports/meetings?group_by=province (admin)"] = measure(
            lambda: get("/api/v1/reports/meetings?group_by=province", headers=headers), rounds)
        out["GET /api/v1/meetings/export.csv (admin, every meeting)"] = measure(
            lambda: get("/api/v1/meetings/export.csv", headers=headers), rounds)
        out["GET /api/v1/meetings/export.xlsx (admin, every meeting)"] = measure(
            lambda: get("/api/v1/meetings/export.xlsx", headers=headers), max(1, rounds - 2))
        page = app.test_client()
        page.post("/login", data={"username": who["pm"], "password": PASSWORD})
        out["GET /dashboard (provincial manager, page)"] = measure(lambda: get("/dashboard", via=page), rounds)
        db.engine.dispose()
    out["_province_meetings"] = (who["province_meetings"], 0)
    return out


def table(label: str, small: dict, large: dict, sizes: tuple[int, int]) -> None:
    print(f"\n{label}: {sizes[0]} vs {sizes[1]} meetings "
          f"(the manager's province: {small['_province_meetings'][0]} vs {large['_province_meetings'][0]})")
    print(f"{'figure':58} {'small ms':>9} {'large ms':>9} {'ratio':>6}  statements")
    for name in small:
        if name.startswith("_"):
            continue
        (s_ms, s_n), (l_ms, l_n) = small[name], large[name]
        print(f"{name:58} {s_ms:9.1f} {l_ms:9.1f} {l_ms / s_ms:6.1f}  {s_n}/{l_n}")


# (figure in the table, key above, how the rows behind it grow)
ROWS = [("report API, admin, by province", "GET /api/v1/reports/meetings?group_by=province (admin)", "country"),
        ("report service, provincial manager, by rep", "report service, provincial manager, by rep", "province"),
        ("dashboard page, provincial manager", "GET /dashboard (provincial manager, page)", "province")]


def rows(label: str, small: dict, large: dict, sizes: tuple[int, int]) -> None:
    """The make bench rows: each figure at the large size against the small
    one; no bar in issue 14, the rows behind it grow with the data."""
    growth = {"country": sizes[1] / sizes[0],
              "province": large["_province_meetings"][0] / small["_province_meetings"][0]}
    for figure, key, scope in ROWS:
        row(f"{figure} at {sizes[1]:,} vs {sizes[0]:,} meetings, ms (rows ×{growth[scope]:.0f}, {label})",
            large[key][0], small[key][0])
    key = ROWS[0][1]
    row(f"SQL statements, report API (admin) at {sizes[1]:,} vs {sizes[0]:,} meetings ({label})",
        large[key][1], small[key][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    print("load average at start:", os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"SQLite": (f"sqlite:///{tmp}/small.sqlite", f"sqlite:///{tmp}/large.sqlite")}
        if os.environ.get("BENCH_DATABASE_URL"):
            urls["PostgreSQL"] = (os.environ["BENCH_DATABASE_URL"],) * 2
        for label, (small_url, large_url) in urls.items():
            small = figures(small_url, args.small, args.rounds)
            large = figures(large_url, args.large, args.rounds)
            table(label, small, large, (args.small, args.large))
            rows(label, small, large, (args.small, args.large))
    print("\nload average at end:", os.getloadavg())


if __name__ == "__main__":
    main()
