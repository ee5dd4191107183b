"""The data migration that gives meetings older than agendas their default
agenda and checklist, and users older than the feed token theirs (issue 23:
reads no longer make them). SQLite here; PostgreSQL runs the same migration
in `make migrations-check`."""
from __future__ import annotations

import sqlite3

from flask_migrate import upgrade

from meetings import create_app
from meetings.extensions import db

BEFORE = "ac740a2a1922"


def _insert(conn, table: str, values: dict) -> None:
    """A row with `values` and a stand-in for every other NOT NULL column."""
    row = dict(values)
    for _cid, name, kind, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if name in row or pk or not notnull or default is not None:
            continue
        kind = kind.upper()
        row[name] = (0 if any(k in kind for k in ("INT", "BOOL", "NUMERIC", "DECIMAL", "FLOAT"))
                     else "2026-01-01 00:00:00" if "DATE" in kind or "TIME" in kind else "x")
    names = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_older_meetings_get_the_defaults_and_older_users_a_feed_token(tmp_path):
    path = tmp_path / "old.sqlite"
    app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
    old = sqlite3.connect(path)  # foreign keys off: only the rows this test reads
    for user_id, token in ((1, None), (2, "kept-token-" + "k" * 40)):
        _insert(old, "users", {"id": user_id, "username": f"u{user_id}", "role": "rep",
                               "calendar_token": token})
    for meeting_id in (7, 8):
        _insert(old, "meetings", {"id": meeting_id, "status": "held", "checkin_token": f"t{meeting_id}"})
    _insert(old, "agenda_segments", {"meeting_id": 8, "position": 0, "kind": "talk", "title": "自己的议程",
                                     "planned_minutes": 20})
    old.commit()
    old.close()
    with app.app_context():
        upgrade()
        conn = db.session.connection()
        segments = conn.exec_driver_sql("SELECT meeting_id, position, kind, title, planned_minutes"
                                        " FROM agenda_segments ORDER BY meeting_id, position").all()
        items = conn.exec_driver_sql("SELECT meeting_id, position, key, ticked FROM checklist_items"
                                     " ORDER BY meeting_id, position").all()
        tokens = dict(conn.exec_driver_sql("SELECT id, calendar_token FROM users").all())
        db.session.remove()
        db.engine.dispose()
    assert [tuple(s) for s in segments if s[0] == 7] == [
        (7, 0, "video", "企业视频与签到", 5), (7, 1, "talk", "产品讲解", 15), (7, 2, "quiz", "有奖问答", 5),
        (7, 3, "chief_review", "科主任总结", 5), (7, 4, "closing", "送礼与用餐", None)]
    assert [tuple(s) for s in segments if s[0] == 8] == [(8, 0, "talk", "自己的议程", 20)]  # its own kept
    from meetings.agenda.services import DEFAULT_AGENDA, DEFAULT_CHECKLIST
    assert len(DEFAULT_AGENDA) == 5  # the migration spells out today's defaults
    assert [(m, key) for m, _p, key, _t in items] == [(7, key) for key in DEFAULT_CHECKLIST]
    assert not any(ticked for *_rest, ticked in items)
    assert len(tokens[1]) >= 43 and tokens[2] == "kept-token-" + "k" * 40
