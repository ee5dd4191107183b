"""Process-wide exclusive locks for jobs and the scheduler.

PostgreSQL: a session advisory lock on a connection of its own, so it holds
across the job's many transactions and dies with the process (kill -9
included). SQLite: an flock on a file beside the database."""
from __future__ import annotations

import fcntl
import zlib
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from .config import INSTANCE_DIR
from .extensions import db


def _key(name: str) -> int:
    return zlib.crc32(name.encode())  # stable across processes, fits a bigint


@contextmanager
def exclusive(name: str, *, wait: bool = True):
    """Yields True when this process holds the lock; with wait=False it
    yields False at once if another process holds it."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            if wait:
                conn.execute(select(func.pg_advisory_lock(_key(name))))
                got = True
            else:
                got = bool(conn.scalar(select(func.pg_try_advisory_lock(_key(name)))))
            try:
                yield got
            finally:
                if got:
                    conn.execute(select(func.pg_advisory_unlock(_key(name))))
        return
    database = db.engine.url.database
    folder = Path(database).parent if database and database != ":memory:" else INSTANCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name.replace(':', '_')}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            got = True
        except BlockingIOError:
            got = False
        try:
            yield got
        finally:
            if got:
                fcntl.flock(handle, fcntl.LOCK_UN)
