"""Issue 32, 10: logout, token revocation and throttled attempts are in the
action log — refusals counted (1st, 10th, 100th …), not one entry each."""
from __future__ import annotations

from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.extensions import db


def entries(action):
    return db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == action)
                              .order_by(ActionLogEntry.id)).all()


def test_logout_is_logged(login, org):
    client = login(org.rep)
    client.post("/logout")
    assert [(e.actor_id, e.object_id) for e in entries("logout")] == [(org.rep.id, org.rep.id)]


def test_token_revocation_is_logged(api_as, org):
    api = api_as(org.rep)
    assert api.delete("/auth/token").status_code == 204
    assert [e.actor_id for e in entries("token_revoke")] == [org.rep.id]


def test_throttled_attempts_are_counted_in_the_log_without_flooding_it(app, client, org):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 1
    codes = [client.post("/api/v1/auth/token", json={"username": org.rep.username, "password": "wrong"}
                         ).status_code for _ in range(13)]
    assert codes == [401] + [429] * 12
    logged = entries("throttled")
    assert [(e.object_type, e.after) for e in logged] == [
        ("login", {"limit": "account", "refused": 1}), ("login", {"limit": "account", "refused": 10})]
    assert org.rep.username not in str([e.after for e in logged])
