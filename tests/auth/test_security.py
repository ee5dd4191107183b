"""Logins, sessions, tokens, headers and keys as a security review expects
(SPEC §10, §11; issue 15 items 6–10)."""
from __future__ import annotations

import time

import pytest
import time_machine

from meetings import create_app
from meetings.auth import services
from meetings.auth.models import ApiToken
from meetings.config import ConfigError
from meetings.errors import InvalidInput
from meetings.extensions import db
from tests.conftest import PASSWORD


def login(client, user, password=PASSWORD, **kw):
    return client.post("/login", data={"username": user.username, "password": password}, **kw)


# ---------------------------------------------------------------- throttling

def test_failed_logins_are_throttled_per_account_with_retry_after(app, client, org):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 3
    answers = [login(client, org.rep, "wrong-password").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 429, 429]
    refused = login(client, org.rep)  # even the right password waits out the window
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert login(client, org.pm).status_code == 302  # another account from the same address


def test_token_requests_are_throttled_per_address(app, client, org):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = 4
    answers = [client.post("/api/v1/auth/token", json={"username": f"nobody{n}", "password": "x"}).status_code
               for n in range(6)]
    assert answers == [401] * 4 + [429] * 2
    refused = client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": PASSWORD})
    assert refused.status_code == 429 and refused.json["reason"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    other = client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_an_office_logging_in_correctly_never_meets_the_limit(client, org, make_user):
    users = [make_user("rep", province=org.province) for _ in range(30)]
    for user in users:
        assert login(client, user).status_code == 302
        client.post("/logout")


def test_the_throttle_is_shared_through_the_database(app, client, org):
    """A second app (another worker process) sees the same counts."""
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 2
    username = org.rep.username
    for _ in range(2):
        login(client, org.rep, "wrong-password")
    db.session.commit()
    db.session.close()  # SQLite: let the other "process" take the write lock
    other = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                                       "PASSWORD_HASH_METHOD")},
                        "TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_FAILURES_PER_ACCOUNT": 2})
    with other.app_context():
        response = other.test_client().post("/api/v1/auth/token",
                                            json={"username": username, "password": PASSWORD})
        db.session.remove()
    assert response.status_code == 429


@pytest.mark.parametrize("via", ["page", "api"])
def test_logins_and_failed_logins_are_kept_by_the_request_itself(app, client, org, api_as, via):
    """A failure is committed before the request refuses (401), a success by
    the request's one commit: neither depends on this test's session."""
    from meetings.actionlog import ActionLogEntry
    from meetings.throttle import ThrottleCounter

    def attempt(password):
        if via == "page":
            return login(client, org.rep, password).status_code
        return client.post("/api/v1/auth/token", json={"username": org.rep.username,
                                                       "password": password}).status_code

    assert attempt("wrong-password") == 401
    assert attempt(PASSWORD) in (200, 302)
    db.session.rollback()
    actions = [e.action for e in db.session.query(ActionLogEntry).order_by(ActionLogEntry.id)]
    assert actions == ["login_failed", "login"]
    assert db.session.query(ThrottleCounter).filter(ThrottleCounter.key.like("login:%")).count() == 2


def test_an_unknown_user_costs_a_password_check_too(app, org, monkeypatch):
    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert services.login("nobody-at-all", "whatever-password", "10.0.0.1") is None
    assert len(checked) == 1 and checked[0].startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0])


# ---------------------------------------------------------------- passwords

def test_new_passwords_have_at_least_10_characters(org, api_as):
    admin = api_as(org.admin)
    short = admin.post("/users", {"username": "newbie", "password": "nine-char", "role": "marketing"})
    assert short.status_code == 422 and "password" in short.json["errors"]
    assert admin.post("/users", {"username": "newbie", "password": "ten-chars!", "role": "marketing"}
                      ).status_code == 201
    with pytest.raises(InvalidInput):
        services.create_user(None, username="cli", password="short", role="marketing")


def test_a_user_changes_their_own_password_and_other_sessions_end(client, app, org, api_as):
    rep = api_as(org.rep)
    phone = app.test_client()
    assert login(phone, org.rep).status_code == 302
    wrong = rep.post("/users/me/password", {"current_password": "nope", "new_password": "a-new-password"})
    assert wrong.status_code == 422 and "current_password" in wrong.json["errors"]
    assert login(client, org.rep).status_code == 302
    page = client.post("/account/password", data={"current_password": PASSWORD,
                                                   "new_password": "a-new-password"})
    assert page.status_code == 302
    assert client.get("/meetings").status_code == 200  # this session goes on
    assert phone.get("/meetings").status_code == 302  # the other one ended
    assert rep.get("/meetings").status_code == 401  # and so did the API token
    assert login(phone, org.rep, "a-new-password").status_code == 302


# ---------------------------------------------------------------- sessions

def test_a_cookie_copied_before_logout_is_worthless_afterwards(app, client, org):
    assert login(client, org.rep).status_code == 302
    cookie = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="localhost")
    assert thief.get("/meetings").status_code == 302  # to the login page


def test_deactivation_ends_sessions_and_tokens(app, client, org, api_as):
    rep = api_as(org.rep)
    assert login(client, org.rep).status_code == 302
    assert api_as(org.admin).patch(f"/users/{org.rep.id}", {"active": False}).status_code == 200
    assert client.get("/meetings").status_code == 302
    assert rep.get("/meetings").status_code == 401


def test_sessions_end_when_idle_and_at_their_absolute_age(app, client, org):
    app.config.update(SESSION_IDLE_TIMEOUT=600, SESSION_MAX_AGE=3600)
    start = time.time()
    with time_machine.travel(start, tick=False):
        assert login(client, org.rep).status_code == 302
    with time_machine.travel(start + 500, tick=False):
        assert client.get("/meetings").status_code == 200
    with time_machine.travel(start + 1050, tick=False):
        assert client.get("/meetings").status_code == 200  # used within 10 min each time
    with time_machine.travel(start + 1700, tick=False):
        assert client.get("/meetings").status_code == 302  # idle for 650 s
    with time_machine.travel(start + 4000, tick=False):
        assert login(client, org.rep).status_code == 302
    for step in range(1, 9):  # busy all along, yet the absolute age ends it
        with time_machine.travel(start + 4000 + step * 500, tick=False):
            status = client.get("/meetings").status_code
    assert status == 302


def test_session_cookies_are_httponly_lax_and_secure_behind_https(org, database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "PUBLIC_URL": "https://meetings.example.com",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    username = org.rep.username
    db.session.close()  # SQLite: let the other app take the write lock
    with app.app_context():
        response = app.test_client().post("/login", data={"username": username, "password": PASSWORD})
        db.session.remove()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


# ---------------------------------------------------------------- tokens

def test_api_tokens_carry_nothing_of_the_password_and_can_be_revoked(client, org, api_as):
    rep = api_as(org.rep)
    token = rep.token
    hash_tail = org.rep.password_hash.split("$")[-1]
    assert not any(hash_tail[i:i + 6] in token for i in range(0, len(hash_tail) - 6))
    row = db.session.query(ApiToken).one()
    assert row.digest != token and len(row.digest) == 64
    assert rep.get("/meetings").status_code == 200
    assert client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert rep.get("/meetings").status_code == 401


# ---------------------------------------------------------------- redirects

@pytest.mark.parametrize("target", [
    "/%09/evil.example/phish", "//evil.example", "/\\evil.example", "https://evil.example/",
    "/%0a/evil.example", "javascript:alert(1)", " //evil.example",
])
def test_login_never_redirects_off_site(client, org, target):
    response = client.post(f"/login?next={target}", data={"username": org.rep.username, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location
    assert location.startswith("/") and not location.startswith("//")


def test_login_follows_a_same_site_path(client, org):
    response = client.post("/login?next=/meetings?status=draft",
                           data={"username": org.rep.username, "password": PASSWORD})
    assert response.headers["Location"] == "/meetings?status=draft"


# ---------------------------------------------------------------- keys

def test_short_secret_keys_are_refused_outside_development(database_url, monkeypatch):
    monkeypatch.delenv("FLASK_ENV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": "short", "SQLALCHEMY_DATABASE_URI": database_url})
    create_app({"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": database_url})


def test_development_gets_a_random_key_kept_under_instance(monkeypatch, tmp_path):
    from meetings import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setenv("FLASK_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.from_env()["SECRET_KEY"]
    assert len(first) >= 32 and first == config.from_env()["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert "dev-only" not in first


def test_a_session_survives_a_clock_a_little_behind_the_one_that_signed_it(app, client, org):
    """Workers' clocks (and tests' frozen ones) differ a little: a cookie or a
    last-seen time slightly in the future keeps the session; far in the
    future it ends it (and never stretches the idle limit)."""
    from meetings.web.sessions import CLOCK_SKEW
    start = time.time()
    with time_machine.travel(start, tick=False):
        assert login(client, org.rep).status_code == 302
    with time_machine.travel(start - 30, tick=False):  # the next request's worker is 30 s behind
        assert client.get("/meetings").status_code == 200
    with time_machine.travel(start - CLOCK_SKEW + 5, tick=False):
        assert client.get("/meetings").status_code == 200  # just within the tolerance
    with time_machine.travel(start, tick=False):
        with client.session_transaction() as session:
            session["seen_at"] = int(start) + 120  # a refresh by a worker 2 min ahead
        assert client.get("/meetings").status_code == 200
        with client.session_transaction() as session:
            session["seen_at"] = int(start) + CLOCK_SKEW + 60
        assert client.get("/meetings").status_code == 302  # beyond any skew: the session ends
    with time_machine.travel(start, tick=False):
        assert login(client, org.rep).status_code == 302
    with time_machine.travel(start - CLOCK_SKEW - 60, tick=False):
        assert client.get("/meetings").status_code == 302  # a cookie from beyond the tolerance
