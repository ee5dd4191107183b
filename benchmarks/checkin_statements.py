"""SQL statements of one sign-in, counted in process (issue 14: QR ≤ 6).

Seeds an approved meeting starting now with 60 invitees (benchmarks/seed.py,
through the real services) on a temp SQLite file — and on PostgreSQL when
BENCH_DATABASE_URL is set (its tables are dropped and re-created) — then
counts the statements the database receives for:

- `POST /checkin/<token>` (the QR page) for an invitee signing in, a walk-in
  typing name and title, and an invitee signing in again (a new nonce: the
  form answers "already signed in");
- the staff check-in: `POST /api/v1/meetings/<id>/checkins` (bearer token),
  a new invitee and the same again.

A count is the same on every machine, so it has no floor; the row's bar is
the issue's. A transaction's BEGIN is not counted: psycopg sends it itself
(this listener never sees it), while SQLite's BEGIN IMMEDIATE comes through
the engine; leaving it out counts the same statements on both. Prints the
statements themselves with --verbose. Asserts nothing.

    python benchmarks/checkin_statements.py [--verbose]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seed import (PASSWORD, bench_app, make_doctors, make_meeting, make_org,  # noqa: E402
                             on_statements, reset_schema)
from benchmarks.table import row  # noqa: E402
from meetings.extensions import db  # noqa: E402

INVITEES = 60
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def count(app, send) -> tuple[list[str], object]:
    seen: list[str] = []

    def note(statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(" ".join(statement.split()))
    with app.app_context():
        engine = db.engine
    with on_statements(engine, note):
        response = send()
    return seen, response


def figures(database_url: str) -> dict[str, list[str]]:
    app = bench_app(database_url)
    with app.app_context():
        reset_schema()
        org = make_org()
        doctors = make_doctors(org, INVITEES)
        meeting = make_meeting(org, doctors)
        db.session.commit()
        token, meeting_id = meeting.checkin_token, meeting.id
        doctor_ids = [i.doctor_id for i in meeting.invitees]
        staff = org.staff.username
        db.session.remove()

    phone = app.test_client()
    page = phone.get(f"/checkin/{token}")
    assert page.status_code == 200, page.status_code
    csrf = CSRF_RE.search(page.get_data(as_text=True)).group(1)

    def qr(nonce: str, **fields):
        def send():
            return phone.post(f"/checkin/{token}", data={"csrf_token": csrf, "nonce": nonce, "signature": "",
                                                         **fields})
        return send

    out = {}
    # one untimed sign-in first: caches (mappers, compiled statements) are warm as in a running server
    count(app, qr("warmup-nonce-0", doctor_id=doctor_ids[-1]))
    for name, send, status in (
            ("QR sign-in POST, invitee", qr("bench-nonce-1", doctor_id=doctor_ids[0], meal_opt_in="y"), 303),
            ("QR sign-in POST, walk-in", qr("bench-nonce-2", doctor_id="walk-in", name="进修医生",
                                            title="resident"), 303),
            ("QR sign-in POST, repeat (new nonce)", qr("bench-nonce-3", doctor_id=doctor_ids[0]), 422),
            ("QR sign-in POST, retried form (same nonce)", qr("bench-nonce-1", doctor_id=doctor_ids[0]), 303)):
        seen, response = count(app, send)
        assert response.status_code == status, (name, response.status_code, response.get_data(as_text=True)[:300])
        out[name] = seen

    api = app.test_client()
    bearer = api.post("/api/v1/auth/token", json={"username": staff, "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {bearer}"}

    def staff_post(doctor_id: int):
        return lambda: api.post(f"/api/v1/meetings/{meeting_id}/checkins", json={"doctor_id": doctor_id},
                                headers=headers)
    count(app, staff_post(doctor_ids[-2]))  # warm-up
    for name, send, status in (("staff check-in POST (API), invitee", staff_post(doctor_ids[1]), 201),
                               ("staff check-in POST (API), repeat", staff_post(doctor_ids[1]), 200)):
        seen, response = count(app, send)
        assert response.status_code == status, (name, response.status_code, response.get_data(as_text=True)[:300])
        out[name] = seen
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every statement")
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory(prefix="bench-statements-") as tmp:
        targets.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}"))
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            for name, seen in figures(url).items():
                bar = "≤ 6" if name.startswith("QR") else ""
                row(f"SQL statements, {name} ({label})", len(seen), bar=bar)
                if args.verbose:
                    for statement in seen:
                        print("    " + statement[:160])


if __name__ == "__main__":
    main()
