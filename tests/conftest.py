"""Fixtures: one app and one schema for the session, each test in a
transaction rolled back at its end, and factory makers with defaults so a
test states only what matters to it.

Every session a test opens — its own, and each request's on its own thread
(ServerLikeClient) — runs on the test's one connection, inside the test's
transaction, in a SAVEPOINT of its own (SQLAlchemy's "joining a session into
an external transaction", join_transaction_mode="create_savepoint"): a
commit releases the savepoint, and the test's end rolls everything back.
Requests run one at a time, so the connection is never used by two threads
at once. A test that needs real commits — several connections or processes
(races, a live server, another app on the database), the scheduler, an app
of its own — is marked `real_commits`: it gets a fresh app and the tables
are emptied after it, as every test was before (tests using `live_app` are
marked by themselves).

SQLite by default; set TEST_DATABASE_URL (postgresql+psycopg://…) to run the
same suite on PostgreSQL.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from meetings import create_app
from meetings.auth.models import Role
from meetings.extensions import db

PASSWORD = "secret123"
_seq = itertools.count(1)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "SQLALCHEMY_DATABASE_URI": database_url,
                      "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # every table there, also those an older schema left (a renamed or merged table)
            from sqlalchemy import inspect
            with db.engine.begin() as conn:
                for table in inspect(conn).get_table_names():
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        db.drop_all()
        db.create_all()
    return database_url


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL meetings.action_log_truncate = 'allowed'"))  # the log's TRUNCATE trigger
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                + " RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f'DELETE FROM "{table}"'))
    db.session.commit()


class ServerLikeClient(FlaskClient):
    """The test client, each request on a thread of its own, as a server runs
    it: no app context of the test's around it, so the request's context ends
    with it and takes its database session along. Inside the test's context
    Flask shares one context and one session with the test, which hid an
    object used after its session had closed (a streamed CSV export answered
    500 under a real server). The body is read on that thread too, as the
    server writes it. The test's own session is committed first (its
    savepoint released, tests/conftest.py's docstring), as a client's request
    comes after what the test wrote; the request's session, on the test's
    connection too, runs in a savepoint of its own."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed from the request's thread, or no test context
            return super().open(*args, **kwargs)
        db.session.commit()
        outcome = {}

        def serve():
            try:
                response = super(ServerLikeClient, self).open(*args, **kwargs)
                response.get_data()
                outcome["response"] = response
            except BaseException as exc:  # noqa: BLE001 — raised again in the test's thread
                outcome["error"] = exc
        thread = threading.Thread(target=serve, name="test-request")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]


@pytest.fixture
def files_root(tmp_path):
    """Where a test's file bodies go (FILES_URL): an empty folder of its own,
    never the instance/ folder."""
    return tmp_path / "files"


TEST_CONFIG = {"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
               "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


def _test_app(database_url: str):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = ServerLikeClient
    return app


def pytest_collection_modifyitems(items):
    for item in items:
        if "live_app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_commits)


class _Joined:
    """The connection every session of the running test uses (None: the
    engine, for a test with real commits)."""
    connection = None


class JoinedSession(Session):
    """Flask-SQLAlchemy's session, on the running test's connection when it
    has one (Flask-SQLAlchemy picks the engine itself, ignoring `bind`)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _Joined.connection is not None:
            return _Joined.connection
        return super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture(scope="session")
def _session_app(_schema):
    """The one app of the session, its sessions made by JoinedSession."""
    app = _test_app(_schema)
    original = db.session
    db.session = scoped_session(
        sessionmaker(db=db, class_=JoinedSession, query_cls=db.Query, join_transaction_mode="create_savepoint"),
        scopefunc=original.registry.scopefunc)
    yield app
    db.session = original


@pytest.fixture
def app(request, _schema, _session_app, files_root):
    if request.node.get_closest_marker("real_commits"):
        yield from _app_with_commits(_schema, files_root)
        return
    app = _session_app
    config = dict(app.config)
    app.config["FILES_URL"] = f"file://{files_root}"  # each test's bodies in a folder of its own
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        _Joined.connection = connection
        try:
            yield app
        finally:
            db.session.remove()
            _Joined.connection = None
            transaction.rollback()
            connection.close()
            app.config.clear()
            app.config.update(config)


def _app_with_commits(database_url: str, files_root):
    """A fresh app, and the tables emptied before and after the test."""
    app = _test_app(database_url)
    app.config["FILES_URL"] = f"file://{files_root}"
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in as `user` through the login
    form (whoever was logged in before is logged out first)."""
    def log_in(user):
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return client
    return log_in


# ---------------------------------------------------------------- factories

@pytest.fixture
def make_region(app):
    from meetings.orgs.models import Region

    def make(name=None):
        region = Region(name=name or f"大区{next(_seq)}")
        db.session.add(region)
        db.session.commit()
        return region
    return make


@pytest.fixture
def make_province(app, make_region):
    from meetings.orgs.models import BudgetPool, Province

    def make(name=None, region=None, approval_limit="5000", budgets=None):
        """budgets: {"2026-Q4": "10000"}; by default the quarters a test meeting falls in."""
        province = Province(name=name or f"省区{next(_seq)}", region=region or make_region(),
                            approval_limit=Decimal(approval_limit))
        db.session.add(province)
        db.session.flush()
        if budgets is None:
            budgets = {p: "50000" for p in _default_periods()}
        for period, amount in budgets.items():
            db.session.add(BudgetPool(province_id=province.id, period=period,
                                      amount=Decimal(amount), spent=Decimal("0")))
        db.session.commit()
        return province
    return make


def _default_periods():
    from meetings.types import quarter_of
    today = datetime.now(timezone.utc).date()
    return sorted({quarter_of(today + timedelta(days=d)) for d in (-120, -30, 0, 30, 120)})


@pytest.fixture
def make_user(app):
    from meetings.auth.models import User

    def make(role=Role.rep, province=None, region=None, username=None, password=PASSWORD):
        role = Role(role)
        user = User(username=username or f"{role.value}{next(_seq)}", display_name=f"{role.value} user",
                    role=role, province_id=province.id if province else None,
                    region_id=region.id if region else (province.region_id if province else None))
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_hospital(app, make_province):
    from meetings.doctors.models import Department, Hospital

    def make(province=None, name=None, level="tertiary"):
        hospital = Hospital(name=name or f"医院{next(_seq)}", level=level, city="南京",
                            province_id=(province or make_province()).id)
        db.session.add(hospital)
        db.session.flush()
        db.session.add(Department(hospital_id=hospital.id, name="心内科", headcount=30))
        db.session.commit()
        return hospital
    return make


@pytest.fixture
def make_doctor(app):
    from meetings.doctors.models import Doctor

    GRADES = {"A": (200, 100), "B": (200, 10), "C": (50, 40), "D": (50, 1)}

    def make(hospital, grade="A", title="chief_physician", position="outpatient", name=None):
        potential, support = GRADES[grade]
        doctor = Doctor(department_id=hospital.departments[0].id, name=name or f"医生{next(_seq)}",
                        title=title, position=position, potential=Decimal(potential),
                        support=Decimal(support))
        db.session.add(doctor)
        db.session.commit()
        return doctor
    return make


@pytest.fixture
def org(make_region, make_province, make_user, make_hospital):
    """One region with a province, its people and a hospital: the usual cast."""
    class Org:
        pass
    o = Org()
    o.region = make_region()
    o.province = make_province(region=o.region)
    o.rep = make_user(Role.rep, province=o.province)
    o.pm = make_user(Role.provincial_manager, province=o.province)
    o.rm = make_user(Role.regional_manager, region=o.region)
    o.staff = make_user(Role.staff, province=o.province)
    o.admin = make_user(Role.admin)
    o.marketing = make_user(Role.marketing)
    o.hospital = make_hospital(province=o.province)
    o.department = o.hospital.departments[0]
    return o


def meeting_data(org, **overrides):
    data = dict(
        hospital_id=org.hospital.id, department_id=org.department.id, topic="用法用量",
        purpose="usage_dosage", audience="prescribers", format="in_department", venue="示教室",
        starts_at=datetime.now(timezone.utc) + timedelta(days=3), expected_attendees=15,
        speaker_id=org.pm.id, staff_ids=[org.staff.id],
        budget={"lines": [{"category": "meals", "amount": Decimal("1500")},
                          {"category": "gifts", "amount": Decimal("500")}]},
        preconditions={"supply_channel_open": True, "department_head_agreed": True,
                       "relations_ok": True},
        needs="",
    )
    data.update(overrides)
    return data


STEPS = {"draft": [], "submitted": ["submit"], "approved": ["submit", "approve"],
         "in_progress": ["submit", "approve", "start"], "held": ["submit", "approve", "start", "finish"]}


@pytest.fixture
def default_guest(app):
    """default_guest(meeting) → the primary invitee a factory gives a meeting
    that must be submitted when its test names nobody (SPEC §3: submit needs
    one)."""
    from meetings.doctors.models import Doctor
    from meetings.summary.shares import doctor_year_total, estimated_share
    from meetings.types import local_date

    guests = {}  # department id → ids of the grade C doctors made as guests, newest last

    def make(meeting):
        """A grade C attending of the meeting's department: the same one for
        each meeting until the annual cap per doctor (SPEC §3) would refuse
        him, then another."""
        made = guests.setdefault(meeting.department_id, [])
        cap = app.config["DOCTOR_ANNUAL_CAP"]
        room = made and (doctor_year_total(made[-1], local_date(meeting.starts_at).year)
                         + estimated_share(meeting) <= cap)
        if not room:
            doctor = Doctor(department_id=meeting.department_id, name=f"受邀医生{len(made) + 1}",
                            title="attending", position="inpatient", potential=Decimal(50),
                            support=Decimal(40))
            db.session.add(doctor)
            db.session.flush()
            made.append(doctor.id)
        return db.session.get(Doctor, made[-1])
    return make


@pytest.fixture
def make_meeting(app, org, default_guest):
    """The one lifecycle factory: make_meeting(status="draft", owner=org.rep,
    primaries=[doctor…], backups=[(backup, primary)…] or {primary: backup},
    declined=[doctor…], present=[doctor…], walk_ins=[name…], diners=n (doctors made to come
    and stay for the meal), on_time=False,
    approver=None, **fields) walks the real services to `status`. The
    approver defaults to org's provincial manager (their regional manager
    when the owner is that manager); a meeting of another province needs
    its own manager.

    Beyond a draft a meeting has a primary invitee (SPEC §3): without
    `primaries` the factory invites a non-key (grade C) doctor of the
    meeting's department, made for the purpose — a test that counts invitees
    or attendance names its own.

    Declines happen once approved; check-ins once started. To start, the
    meeting is moved to half an hour from now, or with on_time=True the clock
    travels to ten minutes before its start (the meeting keeps its time)."""
    import time_machine

    from meetings.checkin import services as checkin
    from meetings.doctors.models import Doctor
    from meetings.invitees import services as invitees
    from meetings.proposals import services
    from meetings.types import as_aware

    def make(status="draft", owner=None, *, primaries=(), backups=(), declined=(), present=(),
             walk_ins=(), diners=0, on_time=False, approver=None, **overrides):
        owner = owner or org.rep
        # A test may need a meeting in the past or far ahead (history, other
        # years): it is created at a valid start (SPEC §3), then moved there.
        starts_at = overrides.pop("starts_at", None)
        meeting = services.create_meeting(owner, **meeting_data(org, **overrides))
        if starts_at is not None:
            meeting.starts_at = as_aware(starts_at)
            db.session.flush()
        if status != "draft" and not primaries:
            # Submit needs someone invited (SPEC §3): a test that names nobody
            # gets a non-key guest, who needs no backup and is in no key figure.
            primaries = [default_guest(meeting)]
        rows = {}
        for doctor in primaries:
            rows[doctor.id] = invitees.add_invitee(owner, meeting, doctor_id=doctor.id, role="primary")
        pairs = [(b, p) for p, b in backups.items()] if isinstance(backups, dict) else backups
        for backup, primary in pairs:
            rows[backup.id] = invitees.add_invitee(owner, meeting, doctor_id=backup.id, role="backup",
                                                   backup_for=rows[primary.id].id)
        steps = STEPS[status]
        for step in steps[:2]:
            if step == "submit":
                services.submit(owner, meeting)
            else:
                services.approve(approver or (org.pm if owner != org.pm else org.rm), meeting)
        for doctor in declined:
            invitees.decline(owner, meeting, rows[doctor.id])
        if len(steps) > 2:
            if on_time:
                db.session.commit()
                clock = time_machine.travel(meeting.starts_at - timedelta(minutes=10))
            else:
                if meeting.starts_at - datetime.now(timezone.utc) > timedelta(hours=2):
                    meeting.starts_at = datetime.now(timezone.utc) + timedelta(minutes=30)
                clock = contextlib.nullcontext()
            with clock:
                services.start(owner, meeting)
                for doctor in present:
                    checkin.check_in(owner, meeting, doctor_id=doctor.id)
                for name in walk_ins:
                    checkin.check_in(owner, meeting, name=name, title="nurse")
                for n in range(diners):  # doctors who came and stayed for the meal (SPEC §12 shares)
                    guest = Doctor(department_id=meeting.department_id, name=f"用餐医生{n + 1}",
                                   title="attending", position="outpatient", potential=Decimal(50),
                                   support=Decimal(40))
                    db.session.add(guest)
                    db.session.flush()
                    checkin.check_in(owner, meeting, doctor_id=guest.id, meal_opt_in=True)
                if status == "held":
                    services.finish(owner, meeting)
                db.session.commit()
        db.session.commit()
        return meeting
    return make


# ---------------------------------------------------------------- API helpers

class ApiClient:
    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers=None):
        out = dict(headers or {})
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json if json is not None else {},
                                headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api_as(client):
    """api_as(user) → a client that sends that user's bearer token."""
    def make(user=None):
        if user is None:
            return ApiClient(client)
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return ApiClient(client, response.json["token"])
    return make


def jsonable(data):
    """meeting_data() → JSON body (decimals and datetimes as strings)."""
    if isinstance(data, dict):
        return {k: jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [jsonable(v) for v in data]
    if isinstance(data, Decimal):
        return str(data)
    if isinstance(data, datetime):
        return data.isoformat()
    return data


def filled_summary(**fields) -> dict:
    """What every summary needs (how it was organised, the actual spend: SPEC §7),
    with the test's own fields on top: save_summary(rep, meeting, **filled_summary(questions=…))."""
    data = {"organization": "科室早交班后在示教室召开",
            # not meals: meals need doctors who ate (SPEC §12), which a test names itself
            "actual_spend": [{"category": "gifts", "amount": Decimal("1500")}]}
    data.update(fields)
    return data
