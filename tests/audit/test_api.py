"""GET /api/v1/audit and the admin page (SPEC §10)."""
from __future__ import annotations

import json

from flask_babel import force_locale

from meetings.actionlog import log_action
from meetings.extensions import db
from meetings.labels import label
from tests.conftest import PASSWORD


def test_only_an_admin_reads_the_log(org, api_as):
    assert api_as(org.rep).get("/audit").status_code == 403
    assert api_as().get("/audit").status_code == 401
    assert api_as(org.admin).get("/audit").status_code == 200


def test_entries_have_the_contract_shape_and_filter_and_page(org, make_meeting, api_as):
    meeting = make_meeting("submitted")
    log_action(org.admin, "export", "meeting", meeting.id, after={"format": "csv"})
    db.session.commit()
    admin = api_as(org.admin)
    response = admin.get(f"/audit?object_type=meeting&object_id={meeting.id}")
    assert response.status_code == 200
    assert [e["action"] for e in response.json] == ["export", "submit", "create"]  # newest first
    submit = response.json[1]
    assert set(submit) >= {"id", "at", "actor_id", "action", "object_type", "object_id", "before", "after"}
    assert (submit["actor_id"], submit["before"], submit["after"]) == (org.rep.id, {"status": "draft"},
                                                                       {"status": "submitted"})
    assert "+08:00" in submit["at"]
    assert [e["action"] for e in admin.get(f"/audit?actor_id={org.rep.id}&action=submit").json] == ["submit"]
    paged = admin.get("/audit?page=1&page_size=2")
    assert len(paged.json) == 2 and json.loads(paged.headers["X-Pagination"])["total"] >= 4
    bad = admin.get("/audit?object_id=abc")
    assert bad.status_code == 422 and "object_id" in bad.json["errors"]


def test_the_admin_page_lists_and_filters_entries(client, org, make_meeting):
    meeting = make_meeting("submitted")
    client.post("/login", data={"username": org.admin.username, "password": PASSWORD})
    html = client.get(f"/admin/audit?object_type=meeting&object_id={meeting.id}").get_data(as_text=True)
    with force_locale("zh"):
        submitted, created, logged_in = (label(action, "action") for action in ("submit", "create", "login"))
    assert f">{submitted}</td>" in html and f">{created}</td>" in html and f">{logged_in}</td>" not in html
    assert client.get("/admin/audit?actor_id=x").status_code == 422
    client.post("/logout")
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    assert client.get("/admin/audit").status_code == 403
