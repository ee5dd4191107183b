"""Issue 32, 2: the login throttle holds under concurrency. Forty wrong
passwords for one account at once: no more than the limit are ever checked,
because each attempt takes its slot atomically before the password check
(on PostgreSQL the counter's row lock orders them; in Redis, INCR)."""
from __future__ import annotations

import threading
import time

import pytest

from meetings.auth import services
from meetings.auth.models import User
from meetings.extensions import db
from meetings.throttle import Throttled
from tests.test_throttle import REDIS_URL

ATTEMPTS, LIMIT = 40, 10


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


@pytest.mark.postgres
@pytest.mark.real_commits  # forty threads, each on a connection of its own
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_forty_wrong_passwords_at_once_get_no_more_than_the_limit_checked(app, org, monkeypatch, backend):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races are only real on PostgreSQL")
    if backend == "redis":
        client = _redis_or_skip()
        client.flushdb()
        app.config["REDIS_URL"] = REDIS_URL
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = LIMIT
    username = org.rep.username
    db.session.commit()
    checks, lock = [], threading.Lock()
    real_check = User.check_password

    def counted_check(user, password):
        with lock:
            checks.append(password)
        time.sleep(0.05)  # a slow hash: the window in which the others arrive
        return real_check(user, password)

    monkeypatch.setattr(User, "check_password", counted_check)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes = []

    def attempt():
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                result = services.login(username, "wrong password", "10.0.0.9")
                db.session.commit()
                outcome = "ok" if result else "failed"
            except Throttled:
                db.session.rollback()
                outcome = "throttled"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert len(outcomes) == ATTEMPTS
        assert len(checks) <= LIMIT, f"{len(checks)} password checks past a limit of {LIMIT}"
        assert outcomes.count("failed") == len(checks) and outcomes.count("throttled") == ATTEMPTS - len(checks)
    finally:
        if backend == "redis":
            client.flushdb()


def test_a_successful_login_gives_its_slots_back(app, org):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 2
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = 2
    from tests.conftest import PASSWORD
    for _ in range(5):  # an office logging in correctly never reaches the limit
        assert services.login(org.rep.username, PASSWORD, "10.0.0.1") is not None
    assert services.login(org.rep.username, "wrong", "10.0.0.1") is None
    assert services.login(org.rep.username, "wrong", "10.0.0.1") is None
    with pytest.raises(Throttled):
        services.login(org.rep.username, PASSWORD, "10.0.0.1")
