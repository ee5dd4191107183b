"""Engine set-up per backend.

SQLite (the embedded default) gets WAL, a busy timeout and BEGIN IMMEDIATE for
every transaction that may write: it takes the write lock up front, so a
concurrent request waits its turn instead of failing with "database is locked"
half way (SPEC §10). GET requests read without the lock.
PostgreSQL uses row locks and conditional updates in the services instead.

Also the rule of the request's one commit, which the API's blueprint
(rest.Blueprint.response) and the pages (web.commit_writes) both apply.
"""
from __future__ import annotations

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


def read_writes(view):
    """Mark a GET handler whose read writes (an older meeting's default agenda
    made on first read, a feed token on first use), so the request's one
    commit covers it like any write. Put it below the route (and below
    flask-smorest's response): the mark is read when the view is wrapped."""
    view.read_writes = True
    return view


def commits(view) -> bool:
    """Whether the request's one commit applies to `view` in this request:
    every method but GET/HEAD, and a read marked @read_writes."""
    return not _reading() or getattr(view, "read_writes", False)


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
