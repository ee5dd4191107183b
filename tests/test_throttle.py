"""meetings/throttle.py: one count shared by every worker — in the database by
default, in Redis when REDIS_URL is set (SPEC §11)."""
from __future__ import annotations

import pytest

from meetings import throttle
from meetings.extensions import db
from meetings.throttle import ThrottleCounter
from tests.conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied by the test


@pytest.fixture
def redis_app(app):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    client.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    yield client
    client.flushdb()


def test_counts_live_in_the_database_by_default(app):
    for expected in (1, 2, 3):
        assert throttle.hit("test:key", 60) == expected
    assert throttle.count("test:key", 60) == 3
    with pytest.raises(throttle.Throttled) as refused:
        throttle.take("test:key", 3, 60, "slow down")
    assert refused.value.http_status == 429 and 1 <= refused.value.retry_after <= 60
    assert db.session.query(ThrottleCounter).filter_by(key="test:key").one().count == 4


def test_counts_live_in_redis_when_it_is_configured(app, redis_app, client, org):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 2
    codes = [client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": "wrong"}
                         ).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": PASSWORD}
                       ).status_code == 429
    assert db.session.query(ThrottleCounter).count() == 0
    assert any(key.startswith(b"throttle:login:account:") for key in redis_app.keys("throttle:*"))


CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def redis_down(app):
    from meetings import throttle as module
    module._down_until.clear()
    module._logged_at.clear()
    app.config["REDIS_URL"] = CLOSED_REDIS
    yield
    module._down_until.clear()
    module._logged_at.clear()


def test_redis_down_falls_back_to_the_database_and_logs_once_a_minute(app, redis_down, client, org, caplog):
    """Issue 32, 4: logins and the QR page answered 500 with Redis down."""
    import time_machine

    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 2
    caplog.set_level("WARNING", logger="meetings.throttle")
    with time_machine.travel(1_000_000, tick=True) as clock:
        codes = [client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": "wrong"}
                             ).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert db.session.query(ThrottleCounter).filter(ThrottleCounter.key.like("login:account:%")).one().count >= 2
        clock.shift(30)  # Redis is tried again after REDIS_RETRY seconds, and fails again: not logged again
        assert throttle.hit("test:key", 60) == 1
        assert len([r for r in caplog.records if "Redis" in r.getMessage()]) == 1
        clock.shift(61)
        throttle.hit("test:key", 60)
        assert len([r for r in caplog.records if "Redis" in r.getMessage()]) == 2


def test_healthz_reports_redis_without_failing_when_the_fallback_works(app, redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines() == [
        "ok", "redis: unavailable (throttling counts in the database)"]


def test_healthz_reports_redis_ok(app, redis_app, client):
    assert client.get("/healthz").get_data(as_text=True).splitlines() == ["ok", "redis: ok"]
