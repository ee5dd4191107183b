"""Engine set-up per backend.

SQLite (the embedded default) gets WAL, a busy timeout and BEGIN IMMEDIATE for
every transaction that may write: it takes the write lock up front, so a
concurrent request waits its turn instead of failing with "database is locked"
half way (SPEC §10). GET requests read without the lock.
PostgreSQL uses row locks and conditional updates in the services instead.

Also the unit of work, and the only place that commits (tests/test_unit_of_work.py
keeps it so):

- a request is one transaction, for the API and the pages alike (the app's
  dispatch_request calls `finish_request`, as Indico's RH.process does): a
  write (any method but GET/HEAD) whose view returns an answer below 400 is
  committed once, after the answer is built; an exception or an error answer
  rolls it back. A GET or HEAD never writes, and nothing of it is kept;
- a job run or a command is one transaction (`transaction()`), a job that
  works in batches commits each (`commit_job_batch`);
- the few deliberate early commits are named for their reason below
  (`commit_throttle_count`, `commit_refused_login`, `commit_export_log`).
  Services never commit.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def engine_options(config) -> None:
    """PostgreSQL: a bounded connect time, so an unreachable server makes
    /healthz (and a request) fail in seconds instead of hanging."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = options["connect_args"] = dict(options.get("connect_args", {}))
        connect_args.setdefault("connect_timeout", config.get("DB_CONNECT_TIMEOUT", 5))


def configure(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Page and API reads (GET) need no write lock: in WAL mode they read
        # a snapshot beside the writer. Everything else — forms, API writes,
        # jobs, commands — takes the lock up front and waits its turn.
        connection.exec_driver_sql("BEGIN" if _reading() else "BEGIN IMMEDIATE")


def _reading() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD")


# ---------------------------------------------------------------- the unit of work

def finish_request(status_code: int) -> None:
    """The request's one commit, once its view has returned an answer built
    from the objects as the request left them (after the commit every one of
    them would be read again): a write answered below 400 is kept, anything
    else is rolled back. A refusal raised by the view never gets here: it is
    rolled back by its handler (meetings/errors.py). A GET or HEAD is left
    alone: its session closes unwritten when the request ends, after a
    streamed body (an export) has been read out."""
    if _reading():
        return
    if status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()


@contextmanager
def transaction():
    """One unit of work outside a request (a job run, a command): committed
    when the block ends, rolled back when it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


# ---------------------------------------------------------------- the named early commits

def commit_throttle_count() -> None:
    """The QR sign-in page's attempt is counted (SPEC §11) whatever happens
    next: a refused or failed sign-in rolls its request back, and the count
    must survive that, or a guesser would never be slowed down."""
    db.session.commit()


def commit_refused_login() -> None:
    """A refused login (page or API token) answers 401 — or 429 when throttled —,
    which rolls back; its failure count (the throttle) and its action-log entry
    are kept first."""
    db.session.commit()


def commit_export_log() -> None:
    """An export's action-log entry (SPEC §9/§11: who took which data) is kept
    before the file streams: a GET keeps nothing, and a large XLSX written
    inside the transaction would hold SQLite's write lock (and a PostgreSQL
    transaction) open the whole time."""
    db.session.commit()


def commit_job_batch() -> None:
    """A job keeps each batch it finished (SPEC §8): a run killed half way
    keeps what it did (a mail sent is marked sent) and the next run does the
    rest."""
    db.session.commit()


def dialect_insert(table):
    """INSERT into `table` (a model or a Table) in the session's backend's own
    construct, the one that takes ON CONFLICT … DO NOTHING / DO UPDATE:
    PostgreSQL and SQLite spell the clause alike, SQLAlchemy has one each."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_once(model, values: dict, conflict: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on the natural key `conflict`.

    Returns the new row's id, or None when the row already existed. This is
    how jobs create things "exactly once" even when two processes race: the
    database decides, never a check-then-insert."""
    statement = (dialect_insert(model).values(**values)
                 .on_conflict_do_nothing(index_elements=conflict)
                 .returning(model.id))
    return db.session.execute(statement).scalar_one_or_none()


# ---------------------------------------------------------------- least privilege (PostgreSQL)

APPEND_ONLY_TABLES = ("action_log",)   # the app role may INSERT and SELECT these, nothing else
READ_ONLY_TABLES = ("alembic_version",)


def grant_app_role(connection, role: str, password: str | None = None) -> list[str]:
    """Lets `role` run the service without owning anything (PostgreSQL): it
    may read and write the ordinary tables and use their sequences, only
    INSERT and SELECT the action log, only read the migration version — so it
    can neither UPDATE, DELETE nor TRUNCATE the log, nor disable its triggers
    (that takes the owner). Creates the role (LOGIN) when it does not exist;
    with `password`, sets it. Run by the tables' owner after every migration
    (new tables need their grants): `flask grant-app-role`. Returns the
    statements run."""
    from psycopg import sql

    raw = connection.connection.driver_connection  # psycopg's, to quote identifiers and literals
    name = sql.Identifier(role)
    schema = sql.Identifier(raw.execute("SELECT current_schema()").fetchone()[0])
    exists = raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    statements = []
    if not exists:
        statements.append(sql.SQL("CREATE ROLE {} LOGIN").format(name))
    if password:
        statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
    statements += [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, name),
    ]
    present = {row[0] for row in raw.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
    for table in (t for t in APPEND_ONLY_TABLES if t in present):
        statements.append(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}")
                          .format(sql.Identifier(table), name))
    for table in (t for t in READ_ONLY_TABLES if t in present):
        statements.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}")
                          .format(sql.Identifier(table), name))
    done = []
    for statement in statements:
        raw.execute(statement)  # in the connection's transaction; a Composed needs no % escaping
        text = statement.as_string(raw)
        done.append("ALTER ROLE … PASSWORD …" if "PASSWORD" in text else text)
    return done
