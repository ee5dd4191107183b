import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from meetings.auth.models import Role, User
from meetings.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_create_user_and_seed_demo(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "u1", "--password", "harbour-light-0123",
                                 "--role", "rep", "--province", org.province.name])
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="u1").one()
    assert user.role == Role.rep and user.province_id == org.province.id
    bad = runner.invoke(args=["create-user", "--username", "u2", "--password", "harbour-light-0123",
                              "--role", "rep", "--province", "nowhere"])
    assert bad.exit_code != 0 and "nowhere" in bad.output
    no_scope = runner.invoke(args=["create-user", "--username", "u3", "--password", "harbour-light-0123",
                                   "--role", "staff"])
    assert no_scope.exit_code != 0 and "省区：" in no_scope.output  # the field by its label
    officer = runner.invoke(args=["create-user", "--username", "u4", "--password", "harbour-light-0123",
                                  "--role", "compliance"])  # nationwide: no province or region
    assert officer.exit_code == 0, officer.output
    assert db.session.query(User).filter_by(username="u4").one().role == Role.compliance
    demo = runner.invoke(args=["seed-demo", "--allow-production"])
    assert demo.exit_code == 0, demo.output
    for login in ("admin", "rep", "pm", "rm", "marketing", "staff", "compliance"):
        assert login in demo.output
    again = runner.invoke(args=["seed-demo", "--allow-production"])  # idempotent
    assert again.exit_code == 0


def test_run_jobs_runs_every_job_once(app):
    result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert "deliver_mail" in result.output
    unknown = app.test_cli_runner().invoke(args=["run-jobs", "--job", "nope"])
    assert unknown.exit_code != 0


def _start_scheduler(database_url):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret-key-0123456789abcdef-0123")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(proc, text, limit=60):
    """Read the process's output until `text` shows, for at most `limit`
    seconds: a reader thread feeds a queue, so a silent process cannot hang
    the test on readline() (a bound on waiting, not a timed assertion)."""
    if not hasattr(proc, "lines"):
        proc.lines = queue.Queue()
        threading.Thread(target=lambda: [proc.lines.put(line) for line in iter(proc.stdout.readline, "")]
                         + [proc.lines.put(None)], daemon=True).start()
    lines = []
    deadline = time.monotonic() + limit
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = proc.lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:  # the process closed its output
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"never saw {text!r}: {''.join(lines)}")


def test_scheduler_runs_alone_and_stops_cleanly_on_sigterm(app, database_url):
    db.session.remove()
    first = _start_scheduler(database_url)
    second = None
    try:
        _wait_for(first, "scheduler active")
        second = _start_scheduler(database_url)
        _wait_for(second, "standing by")
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=60) == 0
    finally:
        for proc in (first, second):
            if proc and proc.poll() is None:
                proc.kill()


def test_import_prescriptions_command(app, org, make_doctor, tmp_path):
    from meetings.prescriptions.models import Prescription

    doctor = make_doctor(org.hospital)
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbfdoctor_id,month,product,boxes\n"
                     + f"{doctor.id},2026-01,P,3\n0,2026-01,P,1\n".encode())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-prescriptions", str(path), "--update-support"])
    assert result.exit_code == 0, result.output
    assert "inserted 1" in result.output and "row 3 doctor_id" in result.output
    assert "support updated 1" in result.output
    assert db.session.query(Prescription).count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"nothing useful\n")
    refused = runner.invoke(args=["import-prescriptions", str(bad)])
    assert refused.exit_code != 0 and "文件：" in refused.output



def test_seed_demo_refuses_outside_development(app):
    """Issue 32, 9: seed-demo in production made six accounts with the published password."""
    from meetings.auth.models import User
    app.config["DEVELOPMENT"] = False
    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "--allow-production" in refused.output
    assert db.session.query(User).count() == 0
    app.config["DEVELOPMENT"] = True
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
