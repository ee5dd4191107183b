"""The deployment files (SPEC §11): compose.yaml and the Dockerfile are read and
checked, and the container's entrypoint runs for real outside a container —
migrate an empty database, serve, answer /healthz, stop on SIGTERM."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SERVICES = COMPOSE["services"]


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else command


def test_compose_has_the_database_the_migration_the_web_server_and_one_scheduler():
    assert set(SERVICES) == {"db", "migrate", "web", "scheduler"}
    schedulers = [name for name, s in SERVICES.items() if "scheduler" in _command(s)]
    assert schedulers == ["scheduler"]
    assert "deploy" not in SERVICES["scheduler"]  # no replicas: exactly one runs the jobs


def test_the_database_keeps_its_data_in_a_named_volume_and_has_a_health_check():
    db = SERVICES["db"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_migrations_run_once_before_the_web_server_and_the_scheduler():
    migrate = SERVICES["migrate"]
    assert _command(migrate) == ["migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "scheduler"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}}, name
    # the entrypoint's "migrate" is `flask db upgrade`
    entrypoint = (ROOT / "scripts/entrypoint.sh").read_text()
    assert "flask --app wsgi db upgrade" in entrypoint
    assert "flask --app wsgi scheduler" in entrypoint


def test_secrets_and_the_public_url_come_from_the_environment():
    for name in ("migrate", "web", "scheduler"):
        env = SERVICES[name]["environment"]
        for key in ("SECRET_KEY", "PUBLIC_URL", "DATABASE_URL"):
            assert "${" in env[key], (name, key)
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in env["DATABASE_URL"]


def test_the_dockerfile_runs_the_pinned_requirements_as_a_user_with_an_embedded_font():
    lines = [line.strip() for line in DOCKERFILE.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "-r requirements.txt -c requirements.lock" in DOCKERFILE
    assert "fonts-wqy-microhei" in DOCKERFILE
    assert "PDF_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" in DOCKERFILE
    assert 'ENTRYPOINT ["/app/scripts/entrypoint.sh"]' in lines and 'CMD ["web"]' in lines
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"unpinned requirement: {line}"


# ---------------------------------------------------------------- the entrypoint, for real

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A database with no tables, beside the test database (PostgreSQL) or a
    new SQLite file."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'entrypoint.sqlite'}"
        return
    import psycopg

    server = database_url.replace("postgresql+psycopg://", "postgresql://")
    name = server.rsplit("/", 1)[1].split("?")[0] + "_entrypoint"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def _env(database_url: str, port: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-0123456789abcdef-0123",
           "PUBLIC_URL": "http://127.0.0.1", "PYTHON": sys.executable, "DB_WAIT_SECONDS": "30",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
           "LOG_LEVEL": "WARNING"}
    env.pop("FLASK_DEBUG", None)
    return env


def test_the_entrypoint_migrates_serves_healthz_and_stops_on_sigterm(empty_database):
    port = _free_port()
    env = _env(empty_database, port)
    migrate = subprocess.run([str(ROOT / "scripts/entrypoint.sh"), "migrate"], env=env,
                             capture_output=True, text=True, timeout=180)
    assert migrate.returncode == 0, migrate.stderr
    assert "the database answers" in migrate.stdout
    from sqlalchemy import create_engine, inspect
    engine = create_engine(empty_database)
    assert {"alembic_version", "meetings", "users"} <= set(inspect(engine).get_table_names())
    engine.dispose()

    web = subprocess.Popen([str(ROOT / "scripts/entrypoint.sh"), "web"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    try:
        status, deadline = None, time.monotonic() + 60
        while status != 200 and time.monotonic() < deadline and web.poll() is None:
            time.sleep(0.3)
            status = _get(port, "/healthz")
        assert status == 200, web.stdout.read() if web.poll() is not None else "no answer"
        assert _get(port, "/livez") == 200
        web.send_signal(signal.SIGTERM)  # what `docker stop` sends to the exec'd gunicorn
        assert web.wait(timeout=30) == 0
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait()


def test_the_entrypoint_runs_the_scheduler_until_sigterm(empty_database, tmp_path):
    env = {**_env(empty_database, _free_port()), "LOG_LEVEL": "INFO", "MIGRATE": "1"}
    subprocess.run([str(ROOT / "scripts/entrypoint.sh"), "migrate"], env=env, check=True,
                   capture_output=True, timeout=180)
    log = tmp_path / "scheduler.log"
    with log.open("w") as out:
        scheduler = subprocess.Popen([str(ROOT / "scripts/entrypoint.sh"), "scheduler"], env=env,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "scheduler active" not in log.read_text() and time.monotonic() < deadline:
            assert scheduler.poll() is None, log.read_text()
            time.sleep(0.3)
        assert "scheduler active" in log.read_text()
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=30) == 0, log.read_text()
    finally:
        if scheduler.poll() is None:
            os.killpg(scheduler.pid, signal.SIGKILL)
            scheduler.wait()
