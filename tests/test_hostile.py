"""Hostile input (issue 15, SPEC §3 Dates and §11): every JSON endpoint,
unauthenticated and as an administrator, answers the bad-JSON family, absurd
dates, numbers and text with a 4xx — never a 500 — and one bad request never
breaks a list for everyone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from meetings.extensions import db
from meetings.proposals.models import Meeting
from meetings.types import to_local
from tests.conftest import jsonable, meeting_data

DEEP = b"[" * 100_000 + b"]" * 100_000
BAD_BODIES = {
    "deep nesting": DEEP,
    "deep object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "huge int": b'{"doctor_id": ' + b"9" * 5000 + b"}",
    "int past 64 bits": b'{"doctor_id": 36893488147419103232, "hospital_id": 36893488147419103232}',
    "lone surrogate": b'{"name": "\\ud800", "topic": "\\udfff", "username": "\\ud800"}',
    "NUL in text": b'{"name": "a\\u0000b", "topic": "a\\u0000", "username": "x\\u0000"}',
    "not JSON": b"this is not json",
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "NaN": b'{"amount": NaN}',
}
HUGE = 2**70


def json_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "static":
            yield rule


def url_for_rule(rule, value) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", str(value), rule.rule)


@pytest.fixture
def admin_api(org, api_as):
    return api_as(org.admin)


def _send(client, method, url, body, headers):
    return client.open(url, method=method, data=body,
                       headers={"Content-Type": "application/json", **headers})


def test_bad_json_family_is_400_on_every_json_endpoint(app, client, org, admin_api, make_meeting):
    make_meeting("approved")
    tried = 0
    auth = {"Authorization": f"Bearer {admin_api.token}"}
    for rule in json_rules(app):
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            for name, body in BAD_BODIES.items():
                for headers in ({}, auth):
                    response = _send(client, method, url_for_rule(rule, 1), body, headers)
                    tried += 1
                    assert response.status_code == 400, (rule.rule, method, name, response.status_code)
                    assert response.is_json
    assert tried > 300


def test_absurd_ids_pages_and_nul_bytes_are_4xx(app, client, org, admin_api, make_meeting):
    make_meeting("approved")
    auth = {"Authorization": f"Bearer {admin_api.token}"}
    tried = 0
    for rule in json_rules(app):
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH"}):
            for value in (HUGE, -1, 0, "%00", "x%00y"):
                url = url_for_rule(rule, value)
                for query in ("", f"?page={HUGE}&page_size={HUGE}", "?page=1%00",
                              f"?meeting_id={HUGE}&doctor_id={HUGE}&province_id=%00",
                              "?from=9999-12-31T23:59:59-12:00&to=0001-01-01T00:00:00%2B14:00"):
                    body = b"{}" if method != "GET" else None
                    response = client.open(url + query, method=method, data=body, headers={
                        **auth, "Content-Type": "application/json"})
                    tried += 1
                    response.get_data()  # a streamed body (an export) is written now: it must not fail either
                    response.close()
                    assert response.status_code < 500, (url + query, method, response.status_code)
                    assert response.status_code != 409, (url + query, method)
    assert tried > 500


def test_nul_in_a_path_or_query_is_400_not_a_conflict(client, admin_api, make_meeting):
    make_meeting("approved")
    assert client.get("/checkin/abc%00def").status_code in (400, 404)
    assert admin_api.get("/meetings?status=%00").status_code == 400
    assert admin_api.get("/doctors?name=a%00").status_code == 400


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("starts_at", [
    "9999-12-31T20:00:00Z", "0001-01-01T00:00:00+05:00", "0332-04-29T07:28:28+08:00",
    "2200-01-01T00:00:00+08:00",
])
def test_absurd_starts_at_is_422_and_lists_stay_up(org, api_as, client, starts_at):
    rep = api_as(org.rep)
    body = jsonable(meeting_data(org))
    response = rep.post("/meetings", {**body, "starts_at": starts_at})
    assert response.status_code == 422, response.json
    assert "starts_at" in response.json["errors"]
    assert db.session.query(Meeting).count() == 0  # nothing saved
    assert rep.get("/meetings").status_code == 200


@pytest.mark.parametrize("delta, ok", [
    (timedelta(minutes=-5), False), (timedelta(days=366, hours=-1), True), (timedelta(days=367), False),
])
def test_a_start_is_in_the_future_and_at_most_366_days_ahead(org, api_as, delta, ok):
    rep = api_as(org.rep)
    starts_at = (datetime.now(timezone.utc) + delta).isoformat()
    response = rep.post("/meetings", {**jsonable(meeting_data(org)), "starts_at": starts_at})
    assert (response.status_code == 201) is ok, response.json
    if not ok:
        assert response.json["errors"].keys() == {"starts_at"}


def test_moving_a_start_into_the_past_is_refused(org, api_as):
    rep = api_as(org.rep)
    meeting = rep.post("/meetings", jsonable(meeting_data(org))).json
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    response = rep.patch(f"/meetings/{meeting['id']}", {"starts_at": past})
    assert response.status_code == 422 and "starts_at" in response.json["errors"]
    # editing something else keeps a start that has since passed
    assert rep.patch(f"/meetings/{meeting['id']}", {"topic": "新题目"}).status_code == 200


@pytest.mark.parametrize("query", [
    "from=9999-12-31T23:59:59-12:00", "to=0001-01-01T00:00:00%2B14:00", "from=1899-01-01T00:00:00",
])
def test_absurd_filter_dates_are_422(org, api_as, client, query):
    response = api_as(org.rep).get(f"/meetings?{query}")
    assert response.status_code == 422
    client.post("/login", data={"username": org.rep.username, "password": "secret123"})
    assert client.get(f"/meetings?{query}").status_code == 200  # the page ignores a bad filter


def test_a_stored_time_at_the_calendars_edge_never_breaks_a_list(org, api_as, client, make_meeting):
    meeting = make_meeting()
    meeting.starts_at = datetime(9999, 12, 31, 20, tzinfo=timezone.utc)  # saved before the bound existed
    db.session.commit()
    assert to_local(meeting.starts_at).year == 9999
    assert api_as(org.rep).get("/meetings").status_code == 200
    client.post("/login", data={"username": org.rep.username, "password": "secret123"})
    assert client.get("/meetings").status_code == 200


# ---------------------------------------------------------------- text

@pytest.mark.parametrize("topic, ok", [
    ("   ", False), ("\u200b\u200b", False), ("\u202egpj.exe", False), ("a\nb", False),
    ("a\tb", False), ("\u2066x\u2069", False), ("用法\u3000用量", True), ("Dr. O'Neil & co", True),
])
def test_one_line_text_refuses_whitespace_invisible_and_breaks(org, api_as, topic, ok):
    response = api_as(org.rep).post("/meetings", {**jsonable(meeting_data(org)), "topic": topic})
    assert (response.status_code == 201) is ok, response.json
    if not ok:
        assert response.status_code == 422 and "topic" in response.json["errors"]


def test_multi_line_text_keeps_its_line_breaks_but_not_overrides(org, api_as):
    rep = api_as(org.rep)
    body = jsonable(meeting_data(org))
    assert rep.post("/meetings", {**body, "needs": "第一行\r\n第二行"}).status_code == 201
    assert rep.post("/meetings", {**body, "needs": "x\u202ey"}).status_code == 422
    assert rep.post("/meetings", {**body, "needs": " \n "}).status_code == 422


def test_a_walk_in_name_with_a_line_break_is_refused(org, api_as, make_meeting):
    meeting = make_meeting("in_progress")
    response = api_as(org.staff).post(f"/meetings/{meeting.id}/checkins",
                                      {"name": "Eve\r\nBcc: x@evil.test", "title": "nurse"})
    assert response.status_code == 422 and "name" in response.json["errors"]
