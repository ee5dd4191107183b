"""One unit of work per request and per job (issue 23 item 1,
meetings/database.py): nothing commits but the boundary and the named early
commits; no GET writes; a QR sign-in commits once beside its throttle count."""
from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import event, select

import meetings
from meetings.extensions import db
from tests.checkin.test_services import png_data_url

PACKAGE = Path(meetings.__file__).parent
BOUNDARY = PACKAGE / "database.py"
# database.py: the request's and the job's unit of work, and the early commits named for their reason
COMMITTERS = {"finish_request", "transaction", "commit_throttle_count", "commit_refused_login",
              "commit_export_log", "commit_job_batch"}


def _commit_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"):
            yield node


def test_nothing_commits_outside_the_boundary_and_the_named_early_commits():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == BOUNDARY:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(PACKAGE.parent)}:{i}: {line.strip()}"
                  for i, line in enumerate(text.splitlines(), 1) if ".commit(" in line]
        found += [f"{path.relative_to(PACKAGE.parent)}:{call.lineno}: .commit (called)"
                  for call in _commit_calls(ast.parse(text)) if ".commit(" not in text.splitlines()[call.lineno - 1]]
    assert not found, "commit through meetings/database.py (the boundary, or a named early commit):\n" + \
        "\n".join(found)


def test_in_the_boundary_module_only_the_unit_of_work_and_the_named_helpers_commit():
    tree = ast.parse(BOUNDARY.read_text(encoding="utf-8"))
    committing = {function.name for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
                  and any(True for _ in _commit_calls(function))}
    assert committing == COMMITTERS
    helpers = {function.name: ast.get_docstring(function) or "" for function in tree.body
               if isinstance(function, ast.FunctionDef) and function.name in COMMITTERS}
    assert all(len(doc) > 60 for doc in helpers.values()), "each commit says why it is there"


# ---------------------------------------------------------------- no GET writes

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)
# An export keeps its action-log entry before the file streams (database.commit_export_log).
EXPORT_LOG = re.compile(r"^\s*INSERT INTO action_log\b", re.I)


def _is_export(path: str) -> bool:
    return path.endswith((".csv", ".xlsx")) or path.endswith("/export")


def _fill(rule, ids: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)


def _ids(meeting) -> dict:
    from meetings.auth.models import User
    from meetings.checkin.models import CheckIn
    from meetings.followups.models import FollowUp
    from meetings.notifications.models import Notification
    from meetings.orgs.models import BudgetPool
    from meetings.questions.models import Question

    def first(column):
        return db.session.scalar(select(column).order_by(column).limit(1)) or 1

    invitee = meeting.invitees[0]
    return {"meeting_id": meeting.id, "invitee_id": invitee.id, "doctor_id": invitee.doctor_id,
            "checkin_id": first(CheckIn.id), "followup_id": first(FollowUp.id),
            "notification_id": first(Notification.id), "question_id": first(Question.id),
            "budget_id": first(BudgetPool.id), "user_id": first(User.id),
            "province_id": meeting.province_id, "hospital_id": meeting.hospital_id,
            "department_id": meeting.department_id, "region_id": meeting.province.region_id,
            "token": meeting.checkin_token, "fmt": "csv", "code": "zh"}


def test_no_get_writes_on_any_page_or_api_route(app, client, org, login, api_as, make_meeting, make_doctor):
    """Every GET route, as the owner, the staff and the administrator, pages
    and API: not one INSERT, UPDATE or DELETE, but an export's log entry."""
    doctor = make_doctor(org.hospital, grade="C")
    meeting = make_meeting("held", primaries=[doctor], present=[doctor])
    from meetings.questions.models import Question, QuestionStatus
    db.session.add(Question(meeting_id=meeting.id, doctor_id=doctor.id, text="能和阿司匹林合用吗?",
                            status=QuestionStatus.open))
    db.session.commit()
    ids = _ids(meeting)
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and "static" not in rule.endpoint]
    writes: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        writes.append(statement)

    tried = answered = 0
    for user in (org.rep, org.staff, org.admin):
        api = api_as(user)
        login(user)
        for rule in rules:
            path = _fill(rule, ids)
            api_path = path.startswith("/api/")
            if rule.rule == "/calendar/<token>.ics":
                path = f"/calendar/{user.calendar_token}.ics"
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                response = client.get(path, headers={"Authorization": f"Bearer {api.token}"} if api_path else {})
                response.get_data()
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            tried += 1
            answered += response.status_code == 200
            written = [s for s in writes if WRITE.match(s)]
            if _is_export(path):
                written = [s for s in written if not EXPORT_LOG.match(s)]
            assert not written, (user.role.value, path, response.status_code, written)
            writes.clear()
    assert tried > 250 and answered > 180, (tried, answered)


def test_a_new_user_has_a_calendar_token_and_reading_the_feed_address_writes_nothing(org, api_as):
    assert org.rep.calendar_token and len(org.rep.calendar_token) >= 43
    api = api_as(org.rep)
    with_token = api.get("/calendar")
    assert with_token.status_code == 200 and org.rep.calendar_token in with_token.json["url"]


# ---------------------------------------------------------------- one commit per request

def _commits():
    seen = []
    listener = lambda _conn: seen.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    return seen, lambda: event.remove(db.engine, "commit", listener)


@pytest.mark.real_commits  # counts the engine's real commits
def test_a_qr_sign_in_commits_once_beside_its_throttle_count(client, org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, grade="C")
    meeting = make_meeting("approved", primaries=[doctor])
    form = {"doctor_id": str(doctor.id), "nonce": "form-nonce-1", "signature": png_data_url()}
    url, starts_at = f"/checkin/{meeting.checkin_token}", meeting.starts_at
    db.session.commit()  # the test's own transaction ends before counting (ServerLikeClient)
    with time_machine.travel(starts_at - timedelta(minutes=5), tick=False):
        seen, stop = _commits()
        try:
            assert client.post(url, data=form).status_code == 303
        finally:
            stop()
    assert len(seen) == 2  # database.commit_throttle_count, then the request's one commit


@pytest.mark.real_commits  # counts the engine's real commits
def test_a_refused_api_write_keeps_nothing_and_commits_nothing(org, api_as, make_meeting):
    meeting = make_meeting("draft")
    api = api_as(org.staff)  # not the owner: the service refuses
    url, topic = f"/meetings/{meeting.id}", meeting.topic
    db.session.commit()
    seen, stop = _commits()
    try:
        refused = api.patch(url, json={"topic": "改过的题目"})
    finally:
        stop()
    assert refused.status_code in (403, 404) and seen == []
    db.session.expire_all()
    assert meeting.topic == topic
