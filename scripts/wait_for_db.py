"""Wait until the database in DATABASE_URL answers `SELECT 1` (or give up).

    python scripts/wait_for_db.py [--timeout 60]

The entrypoint runs it before migrating or serving: in compose, PostgreSQL may
still be starting when the other containers do. Exit 0 when it answers, 1 on
timeout; prints one line per attempt that failed."""
from __future__ import annotations

import argparse
import os
import sys
import time

from sqlalchemy import create_engine, text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("DB_WAIT_SECONDS", 60)))
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("wait_for_db: DATABASE_URL is not set", file=sys.stderr)
        return 1
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=connect_args)
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            print("wait_for_db: the database answers", flush=True)
            return 0
        except Exception as exc:  # not up yet: refused, starting, DNS not ready
            if time.monotonic() >= deadline:
                print(f"wait_for_db: gave up after {args.timeout:.0f}s: {exc}", file=sys.stderr)
                return 1
            print(f"wait_for_db: not yet ({exc.__class__.__name__}); retrying", flush=True)
            time.sleep(1)
        finally:
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
