"""EXPLAIN (ANALYZE) of what the lists, reports and sign-in ask PostgreSQL,
role by role, on national-scale data (issue 14 item 8: every filter and
join a list or report uses has an index).

Runs the real requests in process (the API with a bearer token, the pages
with a session) for a user of every role — the busiest province's
provincial manager, staff and its busiest rep, the regional manager of its
region, marketing and an admin — captures every SELECT they send with its
parameters, and EXPLAINs each (ANALYZE: it runs; the writes of the sign-in
requests are explained inside a transaction that is rolled back). Prints,
per request and statement, the execution time and the plan lines that
matter: sequential scans of tables over --big rows, sorts and the index
used. With --plans, every plan in full.

Needs PostgreSQL with data, e.g. (the database is yours to fill):

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale
    flask --app wsgi db upgrade && flask --app wsgi seed-demo --scale 20000 --allow-production
    BENCH_DATABASE_URL=$DATABASE_URL python benchmarks/explain.py [--plans] [--only meetings]

It sets a password on the users it picks (adding those seed_scale does not
make), starts one meeting and signs two doctors in on it (that is how the
sign-in requests are caught). Asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text, update  # noqa: E402

from benchmarks.seed import PASSWORD, bench_app, on_statements  # noqa: E402
from meetings.extensions import db  # noqa: E402

INTERESTING = re.compile(r"Seq Scan|Index|Sort|Bitmap|Hash Join|Nested Loop|Merge Join|Aggregate")


def pick_users() -> dict:
    """A user of every role around the busiest province, with a password."""
    from meetings.auth.models import Role, User
    from meetings.orgs.models import Province
    from meetings.proposals.models import Meeting

    province_id = db.session.execute(select(Meeting.province_id).group_by(Meeting.province_id)
                                     .order_by(func.count().desc()).limit(1)).scalar()
    region_id = db.session.get(Province, province_id).region_id
    rep_id = db.session.execute(select(Meeting.owner_id).where(Meeting.province_id == province_id)
                                .group_by(Meeting.owner_id).order_by(func.count().desc()).limit(1)).scalar()

    def first(*where):
        return db.session.scalar(select(User).where(User.active.is_(True), *where).order_by(User.id))
    users = {
        "admin": first(User.role == Role.admin),
        "marketing": first(User.role == Role.marketing),
        "regional_manager": first(User.role == Role.regional_manager, User.region_id == region_id),
        "provincial_manager": first(User.role == Role.provincial_manager, User.province_id == province_id),
        "staff": first(User.role == Role.staff, User.province_id == province_id),
        "rep": db.session.get(User, rep_id),
    }
    if users["provincial_manager"] is None:
        raise SystemExit("no provincial manager in the busiest province: seed with `flask seed-demo --scale N`")
    for role, user in users.items():
        if user is None:  # seed_scale makes no regional managers (the demo's one has its own region)
            user = users[role] = User(username=f"explain-{role}", display_name=role, role=Role(role),
                                      region_id=region_id if role == "regional_manager" else None)
            db.session.add(user)
        user.set_password(PASSWORD)
    db.session.commit()
    return {role: (user.id, user.username) for role, user in users.items()}


def requests_for(role: str, context: dict) -> list[tuple[str, str, str, dict | None]]:
    """(kind, method, path, body) of what a user of `role` asks for."""
    month = (context["now"] - timedelta(days=30)).date().isoformat()
    api = [("api", "GET", "/api/v1/meetings?page_size=50", None),
           ("api", "GET", "/api/v1/meetings?page_size=50&status=held", None),
           ("api", "GET", f"/api/v1/meetings?page_size=50&from={month}T00:00:00%2B08:00", None),
           ("api", "GET", "/api/v1/followups?page_size=50", None),
           ("api", "GET", "/api/v1/followups?page_size=50&status=overdue", None),
           ("api", "GET", "/api/v1/questions?page_size=50", None),
           ("api", "GET", "/api/v1/notifications?page_size=50", None)]
    # a rep sees only their own meetings (SPEC §1): theirs, not the staff's
    meeting = context["rep_meeting_id"] if role == "rep" else context["meeting_id"]
    doctor = context["doctor_id"]
    api += [("api", "GET", f"/api/v1/{name}?page_size=50", None)
            for name in ("hospitals", "departments", "doctors", "provinces", "regions")
            + (("users",) if role == "admin" else ())]  # the user list is the admin's
    api += [("api", "GET", f"/api/v1/meetings/{meeting}", None),
            ("api", "GET", f"/api/v1/meetings/{meeting}/invitees", None),
            ("api", "GET", f"/api/v1/doctors/{doctor}/spend", None)]
    if role in ("admin", "marketing"):
        api.append(("api", "GET", f"/api/v1/meetings?page_size=50&province_id={context['province_id']}", None))
    if role in ("admin", "marketing", "regional_manager", "provincial_manager"):
        api += [("api", "GET", "/api/v1/reports/meetings?group_by=province", None),
                ("api", "GET", "/api/v1/reports/meetings?group_by=rep", None)]
    pages = [("page", "GET", "/meetings", None), ("page", "GET", "/meetings?status=held", None),
             ("page", "GET", "/followups", None), ("page", "GET", "/questions", None),
             ("page", "GET", "/meetings/inbox", None), ("page", "GET", "/hospitals", None),
             ("page", "GET", "/notifications", None), ("page", "GET", f"/meetings/{meeting}", None),
             ("page", "GET", f"/doctors/{doctor}", None)]
    if role in ("admin", "marketing", "regional_manager", "provincial_manager"):
        pages.append(("page", "GET", "/dashboard", None))
    signin = []
    if role == "staff":
        signin = [("api", "GET", f"/api/v1/meetings/{meeting}/checkins", None),
                  ("page", "GET", f"/meetings/{meeting}/sign-in", None),
                  ("api", "GET", f"/api/v1/meetings/{meeting}/attendance", None),
                  ("api", "POST", f"/api/v1/meetings/{meeting}/checkins", {"doctor_id": context["staff_doctor"]}),
                  ("public", "GET", f"/checkin/{context['token']}", None),
                  ("public", "POST", f"/checkin/{context['token']}",
                   {"doctor_id": str(context["qr_doctor"]), "nonce": "explain-nonce-1"})]
    return api + pages + signin


def sign_in_context(users: dict) -> dict:
    """A meeting of the staff's province made open for sign-in now, with two
    invitees not signed in yet (one for the staff POST, one for the QR page)."""
    from meetings.checkin.models import CheckIn
    from meetings.invitees.models import Invitee
    from meetings.proposals.models import Meeting, Status
    from meetings.types import utcnow

    staff_id = users["staff"][0]
    from meetings.auth.models import User
    province_id = db.session.get(User, staff_id).province_id
    now = utcnow()
    meeting = db.session.scalar(select(Meeting).where(Meeting.province_id == province_id,
                                                      Meeting.status == Status.approved)
                                .order_by(Meeting.starts_at.desc()))
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                       .values(starts_at=now, status=Status.in_progress))
    signed = select(CheckIn.doctor_id).where(CheckIn.meeting_id == meeting.id, CheckIn.doctor_id.is_not(None))
    free = db.session.scalars(select(Invitee.doctor_id).where(Invitee.meeting_id == meeting.id,
                                                              Invitee.doctor_id.not_in(signed))
                              .order_by(Invitee.id)).all()
    rep_meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.owner_id == users["rep"][0])
                                       .order_by(Meeting.starts_at.desc()))
    db.session.commit()
    if len(free) < 3:
        raise SystemExit("the meeting picked for the sign-in requests has everyone signed in: seed afresh")
    return {"meeting_id": meeting.id, "rep_meeting_id": rep_meeting_id, "token": meeting.checkin_token,
            "province_id": province_id,
            "staff_doctor": free[0], "qr_doctor": free[1], "doctor_id": free[2], "now": now}


def capture(app, users: dict, context: dict, only: str | None) -> list[tuple[str, str, str, object]]:
    """Runs every request; returns (role, request, statement, parameters) of each statement sent."""
    seen: list[tuple[str, str, str, object]] = []
    current = {"label": None, "role": None}

    def note(statement, parameters, executemany):
        if not executemany and not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            seen.append((current["role"], current["label"], statement, parameters))

    for role, (_user_id, username) in users.items():
        api, page, public = app.test_client(), app.test_client(), app.test_client()
        token = api.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).json["token"]
        page.post("/login", data={"username": username, "password": PASSWORD})
        for kind, method, path, body in requests_for(role, context):
            if only and only not in path:
                continue
            current.update(label=f"{method} {path}", role=role)
            client = {"api": api, "page": page, "public": public}[kind]
            headers = {"Authorization": f"Bearer {token}"} if kind == "api" else {}
            with app.app_context():
                engine = db.engine
            with on_statements(engine, note):
                if method == "GET":
                    response = client.get(path, headers=headers)
                elif kind == "api":
                    response = client.post(path, json=body, headers=headers)
                else:
                    response = client.post(path, data=body)
            if response.status_code >= 400:
                print(f"!! {role} {method} {path}: {response.status_code}", file=sys.stderr)
    return seen


def explain(app, seen, big: int, full: bool) -> None:
    with app.app_context():
        sizes = dict(db.session.execute(text(
            "select relname, n_live_tup from pg_stat_user_tables")).all())
        done: dict[str, str] = {}
        last = None
        for role, label, statement, parameters in seen:
            if (role, label) != last:
                print(f"\n## {role}: {label}")
                last = (role, label)
            key = statement + repr(parameters)
            short = " ".join(statement.split())[:110]
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "SELECT" not in short:
                print(f"   -- {short}")
                continue
            if key in done:
                print(f"   (as above) {short}")
                continue
            with db.engine.connect() as conn:  # rolled back when it closes: writes are only explained
                plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN (ANALYZE) " + statement, parameters)]
                conn.rollback()
            total = next((line for line in reversed(plan) if line.startswith("Execution Time")), "")
            done[key] = total
            print(f"   {total.replace('Execution Time: ', ''):>12}  {short}")
            for line in plan if full else [line for line in plan if INTERESTING.search(line)]:
                match = re.search(r"Seq Scan on (\w+)", line)
                flag = " <<" if match and sizes.get(match.group(1), 0) >= big else ""
                if full or flag or "Sort" in line or "Index" in line:
                    print(f"      {line.strip()[:150]}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    parser.add_argument("--only", help="only requests whose path contains this")
    parser.add_argument("--big", type=int, default=5000, help="flag sequential scans of tables this large")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("set BENCH_DATABASE_URL=postgresql+psycopg://… (a database seeded with seed-demo --scale)")
    app = bench_app(url)
    app.config["WTF_CSRF_ENABLED"] = False  # the page client logs in and signs in with plain POSTs
    app.config["SELF_CHECKIN_PER_ADDRESS"] = 10**9
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        users = pick_users()
        context = sign_in_context(users)
        db.session.remove()
    seen = capture(app, users, context, args.only)
    explain(app, seen, args.big, args.plans)


if __name__ == "__main__":
    main()
