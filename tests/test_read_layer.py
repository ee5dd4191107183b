"""The read side costs a fixed number of SQL statements, whatever the page
size and however many meetings there are: a list that asks once per row is
an N+1 that grows with the country (issue: a read layer that scales)."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, select

from meetings.extensions import db
from meetings.proposals.models import Meeting, Status
from meetings.questions.models import Question, QuestionStatus
from meetings.scale import seed_scale
from tests.conftest import PASSWORD

MOST = 15  # statements a list may cost at all (SPEC-sized pages of up to 500)
API_LISTS = ["/meetings", "/followups", "/questions", "/users", "/regions", "/provinces",
             "/hospitals", "/departments", "/doctors", "/notifications"]
PAGES = ["/meetings", "/meetings/inbox", "/followups", "/questions"]


@contextlib.contextmanager
def counting():
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def with_questions():
    for meeting_id in db.session.scalars(select(Meeting.id).where(Meeting.status == Status.summarized)):
        db.session.add(Question(meeting_id=meeting_id, text="能和阿司匹林合用吗?", status=QuestionStatus.open))
    db.session.commit()


@pytest.mark.parametrize("path", API_LISTS)
def test_an_api_list_costs_the_same_statements_for_1_50_or_500_rows(app, make_user, api_as, path):
    seed_scale(60)
    with_questions()
    api = api_as(make_user("admin"))
    counts, rows = {}, {}
    for size in (1, 50, 500):
        db.session.expire_all()
        with counting() as seen:
            response = api.get(f"{path}?page_size={size}")
        assert response.status_code == 200, response.json
        counts[size], rows[size] = len(seen), len(response.json)
    # a full page also asks for the total (X-Pagination): one statement more
    assert max(counts.values()) - min(counts.values()) <= 1 and counts[1] <= MOST, (counts, rows)
    if path != "/notifications":  # nothing tells an admin anything here
        assert rows[1] == 1 <= rows[500], rows


@pytest.mark.parametrize("role", ["rep", "provincial_manager", "regional_manager", "marketing"])
def test_the_meeting_list_costs_the_same_for_every_role(app, make_user, api_as, role):
    seed_scale(40)
    meeting = db.session.scalars(select(Meeting)).first()
    owner = db.session.get(type(meeting.owner), meeting.owner_id)
    if role == "rep":
        owner.set_password(PASSWORD)
        db.session.commit()
        user = owner
    else:
        user = make_user(role, province=meeting.province)
    api = api_as(user)
    counts = {}
    for size in (1, 500):
        with counting() as seen:
            response = api.get(f"/meetings?page_size={size}")
        assert response.status_code == 200 and response.json
        counts[size] = len(seen)
    assert counts[500] <= counts[1] <= MOST, counts


@pytest.mark.parametrize("path", PAGES)
def test_a_list_page_costs_the_same_with_ten_times_the_meetings(app, make_user, client, path):
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    counts = {}
    for added in (6, 54):
        seed_scale(added)
        with_questions()
        with counting() as seen:
            response = client.get(path)
        assert response.status_code == 200
        counts[added] = len(seen)
    assert counts[54] <= counts[6], counts  # more meetings never cost more statements
