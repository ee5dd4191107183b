"""The migration to one action log keeps every old entry (SQLite: the copy is
plain Python; PostgreSQL runs the same migration in `make migrations-check`)."""
from __future__ import annotations

import sqlite3

from flask_migrate import upgrade
from sqlalchemy import select

from meetings import create_app
from meetings.actionlog import ActionLogEntry
from meetings.extensions import db


def test_transitions_and_audit_entries_move_into_the_action_log_in_time_order(tmp_path):
    path = tmp_path / "old.sqlite"
    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision="bfbc0992c035")
        db.engine.dispose()
    old = sqlite3.connect(path)  # foreign keys off: meetings and pools need not exist here
    old.executemany("INSERT INTO users (id, username, password_hash, display_name, role, active, created_at)"
                    " VALUES (?, ?, 'x', ?, 'admin', 1, '2026-01-01 00:00:00')",
                    [(i, f"u{i}", f"user {i}") for i in (1, 2, 3)])
    old.executemany("INSERT INTO transitions (meeting_id, action, from_status, to_status, actor_id, at, comment)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", [
                        (7, "create", "draft", "draft", 2, "2026-10-01 08:00:00", None),
                        (7, "approve", "submitted", "approved", 3, "2026-10-01 10:00:00", "同意"),
                        (7, "promote_backup", "approved", "approved", 2, "2026-10-02 09:00:00",
                         "王医生 replaces 李医生, who declined")])
    old.execute("INSERT INTO audit_entries (actor_id, at, entity, entity_id, action, detail)"
                " VALUES (1, '2026-10-01 09:00:00', 'budget_pool', 4, 'set_amount', '{\"amount\": \"900.00\"}')")
    old.commit()
    old.close()
    with app.app_context():
        upgrade()
        rows = db.session.scalars(select(ActionLogEntry).order_by(ActionLogEntry.id)).all()
        got = [(e.action, e.object_type, e.object_id, e.actor_id, e.before, e.after) for e in rows]
        db.engine.dispose()
    assert got == [
        ("create", "meeting", 7, 2, {"status": "draft"}, {"status": "draft"}),
        ("set_amount", "budget", 4, 1, None, {"amount": "900.00"}),
        ("approve", "meeting", 7, 3, {"status": "submitted"}, {"status": "approved", "comment": "同意"}),
        ("promote_backup", "meeting", 7, 2, {"status": "approved"}, {"status": "approved"}),  # names dropped
    ]
