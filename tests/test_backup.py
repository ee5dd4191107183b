"""Backups are tried, not only documented (SPEC §11): a seeded PostgreSQL
database is dumped with `pg_dump -Fc`, restored with `pg_restore` into an empty
database, and a few meetings' figures read the same through the API after."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meetings import create_app
from meetings.demo import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="needs TEST_DATABASE_URL=postgresql+psycopg://…")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def databases(database_url):
    """(source, target): two empty databases named after the test database."""
    import psycopg

    base = database_url.rsplit("/", 1)[1].split("?")[0]
    names = [f"{base}_backup_src", f"{base}_backup_dst"]
    server = _libpq(database_url)
    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield [database_url.rsplit("/", 1)[0] + "/" + name for name in names]
    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key-0123456789abcdef-0123",
           "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=300)


def figures(url: str) -> dict:
    """What the API says about every meeting: status, budget, attendance,
    summary spend; and how many rows each table holds."""
    from sqlalchemy import text

    from meetings.extensions import db

    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": url,
                      "TESTING": True})
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    out = {}
    for meeting in client.get("/api/v1/meetings?page_size=500", headers=auth).json:
        mid = meeting["id"]
        summary = client.get(f"/api/v1/meetings/{mid}/summary", headers=auth)
        out[mid] = {
            "status": meeting["status"],
            "budget": client.get(f"/api/v1/meetings/{mid}", headers=auth).json["budget"]["total"],
            "attendance": client.get(f"/api/v1/meetings/{mid}/attendance", headers=auth).json,
            "actual": summary.json.get("actual_total") if summary.status_code == 200 else None,
        }
    with app.app_context():
        for table in db.metadata.sorted_tables:
            # the token request above logs a login and issues a token on each side:
            # not part of the backup
            if table.name in ("api_tokens", "throttle_counters"):
                continue
            where = " WHERE action <> 'login'" if table.name == "action_log" else ""
            out[table.name] = db.session.execute(text(f'SELECT count(*) FROM "{table.name}"{where}')).scalar()
        db.engine.dispose()
    return out


def test_a_dump_restored_into_an_empty_database_has_the_same_figures(databases, tmp_path):
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    assert pg_dump and pg_restore, "pg_dump/pg_restore missing (apt-get install postgresql-client)"
    source, target = databases
    import psycopg
    with psycopg.connect(_libpq(source)) as conn:
        server_major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    dump_major = int(re.search(r"(\d+)\.", subprocess.check_output([pg_dump, "--version"], text=True))[1])
    assert dump_major >= server_major, "pg_dump must be at least the server's version"

    _flask(source, "db", "upgrade")
    _flask(source, "seed-demo", "--allow-production")
    before = figures(source)
    held = [v for v in before.values() if isinstance(v, dict) and v["attendance"]["present"]]
    assert held, "the demo data has a held meeting with attendance"

    dump = tmp_path / "meetings.dump"
    subprocess.run([pg_dump, "-Fc", "--no-owner", "-f", str(dump), _libpq(source)], check=True, timeout=120)
    subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "-d", _libpq(target), str(dump)],
                   check=True, timeout=120)

    after = figures(target)
    assert after == before
