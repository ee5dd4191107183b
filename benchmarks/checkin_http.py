"""Sign-in over HTTP under gunicorn: the QR page and the staff check-in, each
next to a hello-world Flask app on the same server settings (the floor).

Starts `gunicorn -w W --threads T wsgi:app` on a free 127.0.0.1 port against
a fresh, seeded database (an SQLite file in a temp dir; also PostgreSQL when
BENCH_DATABASE_URL is set — its tables are dropped and re-created), and
`gunicorn … benchmarks.hello:app` beside it. Seeds one approved meeting
starting now with 60 invitees per round for the QR phases, and one with a
fresh invitee for every staff POST. Drives a bounded load from this process
(client threads with http.client keep-alive connections, loopback only):

  hello            GET /  (benchmarks/hello.py)     the floor: hello world, same server settings
  livez            GET /livez                      the app's own hello world (its middleware included)
  healthz          GET /healthz                    the readiness probe: one SELECT 1
  qr page          GET /checkin/<token>            the page a phone opens
  qr post invitee  POST /checkin/<token>           an invitee signs in (signature + meal): new row
  qr post walk-in  POST /checkin/<token>           "not on the list", name + title: new row
  qr post again    POST /checkin/<token>           an invitee again from another form: 422, "already signed in"
  hello 16         GET / on the hello app          the floor for the staff phase, --staff-clients clients
  staff check-in   POST /api/v1/meetings/<id>/checkins   staff sign a new invitee in (bearer token): 201
  bare check-in    the same POST to benchmarks/bare_checkin.py (SQLite only): the least a check-in
                   can cost on Flask and sqlite3, no ORM and no rules — where the bars sit

Each QR POST carries the form's CSRF token and the session cookie from a GET
made by the same client beforehand (untimed), and a fresh nonce; the answer
is the 303 to the thank-you page, which is not followed. The QR page's
per-address limits are lifted for the run (every client is 127.0.0.1).
Prints requests/s and p50/p95/p99 latency per phase, the median over the
rounds, and the rows of the make bench table (issue 14's bars for the staff
check-in). Asserts nothing.

    python benchmarks/checkin_http.py [--rounds 3] [--clients 8] [--workers 3 --threads 4]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/h_bench python benchmarks/checkin_http.py
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seed import (PASSWORD, ROOT, bench_app, make_doctors, make_meeting,  # noqa: E402
                             make_org, reset_schema, signature_data_url)
from benchmarks.table import row  # noqa: E402

INVITEES = 60
# the QR page's per-address limits (SPEC §11) would refuse a load generator
# on one address after 60 sign-ins; the walk-in cap after 60 walk-ins
UNTHROTTLED = {"SELF_CHECKIN_PER_ADDRESS": "1000000000", "WALK_IN_CAP_MIN": "1000000000"}
WARM_UP_POSTS = 24  # staff POSTs per round before the timed ones
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------------------------------------------------------------- seeding

def seed(database_url: str, rounds: int, staff_posts: int) -> tuple[list[dict], dict]:
    """A fresh schema, one organisation and 60 doctors, one meeting per round
    (each with the same 60 invitees), and a meeting for the staff phase with
    a new invitee for every staff POST. Returns per QR meeting its token and
    the doctors who may pick their name; for the staff meeting its id, the
    invitees' doctor ids and who signs them in."""
    from sqlalchemy import insert

    from meetings.doctors.models import Doctor
    from meetings.extensions import db
    from meetings.invitees.models import Invitee, InviteeRole

    app = bench_app(database_url)
    with app.app_context():
        reset_schema()
        org = make_org()
        doctors = make_doctors(org, INVITEES)
        meetings = []
        for number in range(rounds):
            meeting = make_meeting(org, doctors, topic=f"新适应症解读 第{number + 1}场")
            meetings.append({
                "token": meeting.checkin_token,
                "invitees": len(meeting.invitees),
                "doctor_ids": [i.doctor_id for i in meeting.invitees],
                "primaries": sum(i.role == InviteeRole.primary for i in meeting.invitees),
            })
        staff_meeting = make_meeting(org, doctors, topic="科室会 工作人员签到")
        # plain INSERTs: thousands of invitees through the services would take minutes
        extra = db.session.execute(insert(Doctor).returning(Doctor.id, sort_by_parameter_order=True), [
            {"department_id": org.department.id, "name": f"签到医生{i}", "title": "attending",
             "position": "outpatient", "potential": 50, "support": 10} for i in range(staff_posts)]).scalars().all()
        db.session.execute(insert(Invitee), [{"meeting_id": staff_meeting.id, "doctor_id": d,
                                              "role": InviteeRole.primary} for d in extra])
        staff = {"meeting_id": staff_meeting.id, "doctor_ids": list(extra), "username": org.staff.username}
        db.session.commit()
        db.engine.dispose()
    return meetings, staff


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, workers: int, threads: int, app: str = "wsgi:app",
                 ready_path: str = "/healthz", env: dict | None = None):
        self.port = free_port()
        self.ready_path = ready_path
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
               "PYTHONUNBUFFERED": "1",
               "LOG_LEVEL": "WARNING",  # no request log lines: they would flood this terminal
               **(env or {})}
        env.pop("FLASK_DEBUG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--keep-alive", "5",
             app],
            cwd=ROOT, env=env, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", self.ready_path)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------- the client

class Client:
    """One keep-alive connection with its own cookie jar (a phone)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: reconnect once
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def close(self) -> None:
        self.conn.close()


@dataclass
class Result:
    name: str
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(round(q * (len(data) - 1))))] * 1000


def run_phase(name: str, port: int, *, clients: int, total: int, seconds: float,
              prepare, make) -> Result:
    """`clients` threads share `total` requests (stopping early after
    `seconds`); prepare(client) runs untimed first; make(client, state, i)
    → (method, path, body, headers, expected_status)."""
    counter = itertools.count()
    lock = threading.Lock()
    result = Result(name)
    start = threading.Barrier(clients + 1)
    last_done = [0.0]

    def worker():
        client = Client(port)
        try:
            state = prepare(client)
        except Exception:
            start.abort()  # the main thread's wait raises instead of hanging
            raise
        start.wait()
        deadline = time.perf_counter() + seconds
        latencies, ok, errors = [], 0, 0
        while True:
            with lock:
                i = next(counter)
            if i >= total or time.perf_counter() > deadline:
                break
            method, path, body, headers, expected = make(client, state, i)
            t0 = time.perf_counter()
            try:
                status, _data = client.request(method, path, body, headers)
            except OSError:
                status = -1
            t1 = time.perf_counter()
            if status == expected:
                ok += 1
                latencies.append(t1 - t0)
            else:
                errors += 1
        client.close()
        with lock:
            result.ok += ok
            result.errors += errors
            result.latencies.extend(latencies)
            last_done[0] = max(last_done[0], time.perf_counter())

    threads = [threading.Thread(target=worker, name=f"client-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()  # every client has its session and CSRF token: go
    t_start = time.perf_counter()
    for thread in threads:
        thread.join()
    result.elapsed = last_done[0] - t_start
    return result


# ---------------------------------------------------------------- the phases

def no_prepare(_client):
    return None


def qr_session(token: str):
    def prepare(client: Client) -> str:
        status, body = client.request("GET", f"/checkin/{token}")
        if status != 200:
            raise RuntimeError(f"GET /checkin/<token> answered {status}")
        return CSRF_RE.search(body.decode()).group(1)
    return prepare


def form_post(token: str, csrf: str, fields: dict):
    body = urllib.parse.urlencode({"csrf_token": csrf, "nonce": secrets.token_urlsafe(12),
                                   "signature": "", **fields}).encode()
    return ("POST", f"/checkin/{token}", body,
            {"Content-Type": "application/x-www-form-urlencoded"}, 303)


def warm_up(port: int, hello_port: int, token: str, clients: int) -> None:
    """Untimed: every worker compiles its templates and fills its pools first."""
    for target, path in ((hello_port, "/"), (port, "/livez"), (port, f"/checkin/{token}")):
        run_phase("warm-up", target, clients=clients, total=4 * clients, seconds=30,
                  prepare=no_prepare, make=lambda c, s, i, path=path: ("GET", path, None, {}, 200))


def token_for(port: int, username: str) -> str:
    import json
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": username, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"token for {username}: {response.status} {body[:200]!r}")
    return json.loads(body)["token"]


def run_round(port: int, hello_port: int, bare_port: int | None, meeting: dict, staff: dict,
              args) -> list[Result]:
    token, doctor_ids = meeting["token"], meeting["doctor_ids"]
    signature = signature_data_url(1)
    warm_up(port, hello_port, token, args.clients)

    def get(name, target, path, clients=args.clients, total=args.requests * 4):
        return run_phase(name, target, clients=clients, total=total, seconds=args.seconds,
                         prepare=no_prepare, make=lambda c, s, i: ("GET", path, None, {}, 200))
    results = [
        get("hello", hello_port, "/"),
        get("livez", port, "/livez"),
        get("healthz", port, "/healthz"),
        get("qr page", port, f"/checkin/{token}", total=args.requests),
        # each of the 60 invitees once, as a phone does: name, signature, meal
        run_phase("qr post invitee", port, clients=args.clients, total=len(doctor_ids),
                  seconds=args.seconds, prepare=qr_session(token),
                  make=lambda c, s, i: form_post(token, s, {"doctor_id": doctor_ids[i],
                                                            "signature": signature,
                                                            "meal_opt_in": "y"})),
        run_phase("qr post walk-in", port, clients=args.clients, total=args.requests,
                  seconds=args.seconds, prepare=qr_session(token),
                  make=lambda c, s, i: form_post(token, s, {"doctor_id": "walk-in",
                                                            "name": f"进修医生{i}", "title": "resident"})),
        # signed in already, from another form (a new nonce): the form says so
        run_phase("qr post again", port, clients=args.clients, total=args.requests,
                  seconds=args.seconds, prepare=qr_session(token),
                  make=lambda c, s, i: form_post(token, s, {"doctor_id": doctor_ids[i % len(doctor_ids)]})[:4]
                  + (422,)),
        get("hello 16", hello_port, "/", clients=args.staff_clients, total=args.staff_requests),
    ]
    headers = {"Authorization": f"Bearer {staff['token']}", "Content-Type": "application/json"}
    path = f"/api/v1/meetings/{staff['meeting_id']}/checkins"
    new_doctors = staff["doctor_ids"]

    def staff_post(_c, _s, _i):
        return "POST", path, ('{"doctor_id": %d}' % next(new_doctors)).encode(), headers, 201
    # untimed: every worker thread has served the API's write path once
    run_phase("warm-up", port, clients=args.staff_clients, total=WARM_UP_POSTS, seconds=30,
              prepare=no_prepare, make=staff_post)
    results.append(run_phase(
        "staff check-in", port, clients=args.staff_clients, total=args.staff_requests, seconds=args.seconds,
        prepare=no_prepare, make=staff_post))
    if bare_port is not None:  # the same request to the bare check-in (benchmarks/bare_checkin.py)
        run_phase("warm-up", bare_port, clients=args.staff_clients, total=WARM_UP_POSTS, seconds=30,
                  prepare=no_prepare, make=staff_post)
        results.append(run_phase(
            "bare check-in", bare_port, clients=args.staff_clients, total=args.staff_requests,
            seconds=args.seconds, prepare=no_prepare, make=staff_post))
    return results


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def benchmark(label: str, database_url: str, args) -> None:
    t0 = time.perf_counter()
    sqlite_file = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite:///") else None
    check_ins = args.rounds * (args.staff_requests + WARM_UP_POSTS) * (2 if sqlite_file else 1)
    meetings, staff = seed(database_url, args.rounds, check_ins)
    print(f"\n== {label}: seeded {args.rounds} meeting(s) × {meetings[0]['invitees']} invitees "
          f"({meetings[0]['primaries']} primaries) and {len(staff['doctor_ids']):,} for the staff "
          f"in {time.perf_counter() - t0:.1f}s")
    server = Server(database_url, args.workers, args.threads, env=UNTHROTTLED)
    hello = Server(database_url, args.workers, args.threads, app="benchmarks.hello:app", ready_path="/")
    bare = (Server(database_url, args.workers, args.threads, app="benchmarks.bare_checkin:app", ready_path="/",
                   env={"BARE_CHECKIN_DB": sqlite_file}) if sqlite_file else None)
    rounds: list[list[Result]] = []
    try:
        server.wait_ready()
        hello.wait_ready()
        if bare:
            bare.wait_ready()
        staff = {**staff, "token": token_for(server.port, staff["username"]),
                 "doctor_ids": iter(staff["doctor_ids"])}
        for number, meeting in enumerate(meetings, 1):
            before = load_average()
            rounds.append(run_round(server.port, hello.port, bare.port if bare else None, meeting, staff, args))
            print(f"   round {number}: load average {before} → {load_average()}; "
                  + ", ".join(f"{r.name} {r.rps:.0f}/s" for r in rounds[-1]), flush=True)
    finally:
        for process in (server, hello, bare):
            if process:
                process.stop()
    print(f"\n{label} — gunicorn -w {args.workers} --threads {args.threads}, {args.clients} client "
          f"threads ({args.staff_clients} for hello 16 and the staff), median of {len(rounds)} round(s)")
    print(f"{'phase':<18}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    med = statistics.median
    m = {}
    for index, name in enumerate(r.name for r in rounds[0]):
        per = [rnd[index] for rnd in rounds]
        m[name] = {"rps": med([r.rps for r in per]), "p50": med([r.pct(.50) for r in per]),
                   "p95": med([r.pct(.95) for r in per]), "errors": sum(r.errors for r in per)}
        print(f"{name:<18}{med([r.ok for r in per]):>9.0f}{m[name]['errors']:>7}"
              f"{m[name]['rps']:>9.1f}{m[name]['p50']:>9.1f}"
              f"{m[name]['p95']:>9.1f}{med([r.pct(.99) for r in per]):>9.1f}")
    n = args.staff_clients
    row(f"staff check-in POST p50 vs hello p50, {n} clients, ms ({label})",
        m["staff check-in"]["p50"], m["hello 16"]["p50"], "≤ 2×")
    row(f"staff check-in POST p95 vs hello p95, {n} clients, ms ({label})",
        m["staff check-in"]["p95"], m["hello 16"]["p95"], "≤ 4×")
    row(f"staff check-in throughput vs hello, req/s ({label})",
        m["staff check-in"]["rps"], m["hello 16"]["rps"], "≥ 0.3×")
    row(f"staff check-in errors ({label})", m["staff check-in"]["errors"], bar="0")
    if "bare check-in" in m:  # where the bars sit against what Flask and sqlite3 allow at the least
        bare_rows = (("p50", "p50 vs hello p50", "ms"), ("p95", "p95 vs hello p95", "ms"),
                     ("rps", "throughput vs hello", "req/s"))
        for key, what, unit in bare_rows:
            row(f"bare check-in (Flask + sqlite3, no rules) {what}, {unit} ({label})",
                m["bare check-in"][key], m["hello 16"][key])
        row(f"staff check-in throughput vs the bare check-in's, req/s ({label})",
            m["staff check-in"]["rps"], m["bare check-in"]["rps"])
        row(f"bare check-in errors ({label})", m["bare check-in"]["errors"], bar="0")
    row(f"QR sign-in POST (invitee) p50 vs hello p50, {args.clients} clients, ms ({label})",
        m["qr post invitee"]["p50"], m["hello"]["p50"])
    row(f"QR sign-in errors, every phase ({label})",
        sum(m[name]["errors"] for name in ("qr page", "qr post invitee", "qr post walk-in", "qr post again")),
        bar="0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (one fresh meeting each)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=400,
                        help="requests per phase and round (hello, livez, healthz: 4×; invitee POST: 60)")
    parser.add_argument("--staff-clients", type=int, default=16, help="client threads of the staff phase")
    parser.add_argument("--staff-requests", type=int, default=300, help="staff POSTs per round")
    parser.add_argument("--seconds", type=float, default=20, help="time cap per phase and round")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    print(f"cpus {os.cpu_count()}, load average {load_average()} at the start")
    with tempfile.TemporaryDirectory(prefix="bench-checkin-") as tmp:
        benchmark("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args)
    if os.environ.get("BENCH_DATABASE_URL"):
        benchmark("PostgreSQL", os.environ["BENCH_DATABASE_URL"], args)
    print(f"\nload average {load_average()} at the end")


if __name__ == "__main__":
    main()
