"""Issue 32, 10: the action log is append-only for the role the service runs
as. On PostgreSQL the app role (created here, as `flask grant-app-role` does
after a migration) may INSERT and SELECT the log, but not UPDATE, DELETE or
TRUNCATE it, nor disable its triggers or replication-role them away; and the
owner's TRUNCATE is refused by a trigger. Needs trust authentication for the
new role on 127.0.0.1 (CI's PostgreSQL has it)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from meetings.actionlog import log_action
from meetings.extensions import db

pytestmark = [pytest.mark.postgres,
              pytest.mark.real_commits]  # the app role works on a connection of its own


@pytest.fixture
def app_role(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("roles and privileges are PostgreSQL's")
    import psycopg

    database = database_url.rsplit("/", 1)[1].split("?")[0]
    role = f"{database}_app"[:63]
    result = app.test_cli_runner().invoke(args=["grant-app-role", role])
    assert result.exit_code == 0, result.output
    log_action(None, "test", "user", None)
    db.session.commit()
    server = database_url.replace("postgresql+psycopg://", "postgresql://")
    user_url = server.replace("//" + server.split("//", 1)[1].split("@", 1)[0] + "@", f"//{role}@", 1)
    try:
        conn = psycopg.connect(user_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot connect as {role} (trust authentication on 127.0.0.1?): {exc}")
    yield conn
    conn.close()
    db.session.remove()
    with psycopg.connect(server, autocommit=True) as owner:
        owner.execute(f'DROP OWNED BY "{role}"')  # its grants, in this database
        owner.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_app_role_may_only_insert_and_read_the_log(app_role):
    import psycopg

    app_role.execute("INSERT INTO action_log (at, action, object_type) VALUES (now(), 'probe', 'user')")
    assert app_role.execute("SELECT count(*) FROM action_log").fetchone()[0] == 2
    app_role.execute("INSERT INTO regions (name) VALUES ('华东')")  # ordinary tables: read and write
    app_role.execute("UPDATE regions SET name = '华北'")
    for statement in ("UPDATE action_log SET action = 'x'", "DELETE FROM action_log",
                      "TRUNCATE action_log", "ALTER TABLE action_log DISABLE TRIGGER ALL",
                      "SET session_replication_role = replica"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_role.execute(statement)
    assert app_role.execute("SELECT count(*) FROM action_log").fetchone()[0] == 2


def test_the_owner_cannot_truncate_the_log_by_accident(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    log_action(None, "test", "user", None)
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("TRUNCATE action_log"))
    db.session.rollback()
    assert db.session.execute(text("SELECT count(*) FROM action_log")).scalar() == 1


def test_compose_and_the_entrypoint_run_the_service_as_the_app_role():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent
    services = yaml.safe_load((root / "compose.yaml").read_text())["services"]
    user = {name: services[name]["environment"]["DATABASE_URL"].split("//", 1)[1].split(":", 1)[0]
            for name in ("migrate", "web", "scheduler")}
    assert user["web"] == user["scheduler"] == services["migrate"]["environment"]["APP_DB_ROLE"]
    assert user["migrate"] != user["web"]  # the owner migrates, the app role serves
    assert "grant-app-role" in (root / "scripts/entrypoint.sh").read_text()
