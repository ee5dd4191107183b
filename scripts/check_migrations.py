"""CI check: `flask db upgrade` on an empty database gives the full schema,
and the models agree with the migrations (`flask db check`).

Runs on a fresh SQLite file and, when TEST_DATABASE_URL is set, on a fresh
PostgreSQL database created beside it."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def run(url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="migration-check-key-0123456789abcdef")
    for args in (["db", "upgrade"], ["db", "check"]):
        print("$ flask", " ".join(args), "on", url.split("@")[-1], flush=True)
        subprocess.run(FLASK + args, cwd=ROOT, env=env, check=True)


def fresh_postgres(url: str) -> str:
    import psycopg

    base = url.replace("postgresql+psycopg://", "postgresql://")
    name = "meetings_migration_check"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/check.sqlite")
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        run(fresh_postgres(pg))
    print("migrations check: OK")


if __name__ == "__main__":
    main()
