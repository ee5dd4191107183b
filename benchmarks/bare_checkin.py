"""A measuring stick for the staff check-in: the least a check-in can be on
Flask and SQLite, served by the same gunicorn settings as the service
(`gunicorn … benchmarks.bare_checkin:app`, BARE_CHECKIN_DB = the SQLite file).

It answers `POST /api/v1/meetings/<id>/checkins {"doctor_id"}` against the
service's own tables with the statements a check-in cannot do without — the
bearer token's user, the meeting, the doctor and their place on the list, the
check-in's INSERT, the action log's entry, the invitee marked attended — in
Python's sqlite3, and with nothing else: no ORM, no schemas, no rules (who may
sign in, the meeting's state, the doctor's province, the time, a repeat), no
request log, no security headers. Not the service and never imported by it:
`benchmarks/checkin_http.py` drives it beside the service to show where issue
14's check-in bars sit against what the stack itself allows.

Locking as the service does it on SQLite: the whole request in one
`BEGIN IMMEDIATE` transaction, SQLite's default synchronous=FULL. Two
switches, for the experiments in docs/performance.md:
  BARE_CHECKIN_SPLIT=1        the reads in a read transaction of their own,
                              the write lock taken only for the three writes
  BARE_CHECKIN_SYNC_NORMAL=1  PRAGMA synchronous=NORMAL (no fsync at commit)
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
_connections = threading.local()
SPLIT = os.environ.get("BARE_CHECKIN_SPLIT") == "1"


def _connection() -> sqlite3.Connection:
    """One connection per server thread, set up like the service's."""
    connection = getattr(_connections, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["BARE_CHECKIN_DB"], isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=30000")
        if os.environ.get("BARE_CHECKIN_SYNC_NORMAL") == "1":
            connection.execute("PRAGMA synchronous=NORMAL")
        _connections.connection = connection
    return connection


@app.post("/api/v1/meetings/<int:meeting_id>/checkins")
def check_in(meeting_id: int):
    doctor_id = int(request.get_json()["doctor_id"])
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    digest = hashlib.sha256(token.encode()).hexdigest()
    db = _connection()
    db.execute("BEGIN" if SPLIT else "BEGIN IMMEDIATE")
    try:
        user = db.execute("SELECT users.id FROM users JOIN api_tokens ON api_tokens.user_id = users.id "
                          "WHERE api_tokens.digest = ?", (digest,)).fetchone()
        meeting = db.execute("SELECT id FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if user is None or meeting is None:
            abort(404)
        doctor = db.execute("SELECT invitees.id, doctors.name, doctors.title FROM doctors "
                            "LEFT JOIN invitees ON invitees.doctor_id = doctors.id AND invitees.meeting_id = ? "
                            "WHERE doctors.id = ?", (meeting_id, doctor_id)).fetchone()
        if doctor is None:
            abort(422)
        if SPLIT:
            db.execute("COMMIT")
            db.execute("BEGIN IMMEDIATE")
        invitee_id, name, title = doctor
        now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
        checkin_id = db.execute(
            "INSERT INTO checkins (meeting_id, doctor_id, invitee_id, name, title, source, checked_in_at, "
            "recorded_at, meal_opt_in, created_by_id) VALUES (?, ?, ?, ?, ?, 'staff', ?, ?, 0, ?) "
            "ON CONFLICT DO NOTHING RETURNING id",
            (meeting_id, doctor_id, invitee_id, name, title, now, now, user[0])).fetchone()[0]
        db.execute("INSERT INTO action_log (at, actor_id, action, object_type, object_id, after) "
                   "VALUES (?, ?, 'check_in', 'checkin', ?, ?)",
                   (now, user[0], checkin_id, json.dumps({"meeting_id": meeting_id, "doctor_id": doctor_id})))
        db.execute("UPDATE invitees SET status = 'attended' WHERE id = ?", (invitee_id,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return jsonify(id=checkin_id, meeting_id=meeting_id, doctor_id=doctor_id, name=name, title=title,
                   source="staff", checked_in_at=now), 201


@app.get("/")
def ready():
    return "ok"
