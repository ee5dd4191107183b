import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from meetings.extensions import db
from meetings.proposals.models import Meeting
from tests.conftest import jsonable, meeting_data


@pytest.fixture
def body(org):
    return jsonable(meeting_data(org))


@pytest.fixture
def invite(org, make_doctor):
    """invite(api, meeting_id): a primary invitee (a grade C doctor), which
    submit needs (SPEC §3)."""
    def add(api, meeting_id):
        doctor = make_doctor(org.hospital, "C")
        response = api.post(f"/meetings/{meeting_id}/invitees", {"doctor_id": doctor.id, "role": "primary"})
        assert response.status_code == 201, response.json
        return response.json
    return add


def test_token_then_bearer(client, org, api_as):
    assert client.post("/api/v1/auth/token", json={"username": org.rep.username,
                                                  "password": "wrong"}).status_code == 401
    assert api_as().get("/meetings").status_code == 401
    bad = api_as()
    bad.token = "garbage"
    response = bad.get("/meetings")
    assert response.status_code == 401
    assert set(response.json) >= {"code", "status", "message"}
    assert api_as(org.rep).get("/meetings").status_code == 200


def test_create_returns_201_and_the_contract_fields(org, api_as, body):
    response = api_as(org.rep).post("/meetings", body)
    assert response.status_code == 201, response.json
    meeting = response.json
    assert meeting["status"] == "draft"
    assert meeting["owner_id"] == org.rep.id
    assert meeting["province_id"] == org.province.id
    assert meeting["budget"]["total"] == "2000.00"
    assert meeting["budget"]["lines"][0] == {"category": "meals", "amount": "1500.00", "note": None}
    assert meeting["starts_at"].endswith("+08:00")
    assert isinstance(meeting["warnings"], list)
    assert meeting["history"][0]["action"] == "create"
    assert meeting["checkin_url"].startswith("http")
    got = api_as(org.rep).get(f"/meetings/{meeting['id']}")
    assert got.status_code == 200 and got.json["id"] == meeting["id"]


def test_full_lifecycle_through_the_api(org, api_as, body, invite):
    rep, pm = api_as(org.rep), api_as(org.pm)
    body["starts_at"] = (datetime.now(timezone.utc) + timedelta(minutes=30)).isoformat()
    mid = rep.post("/meetings", body).json["id"]
    invite(rep, mid)
    assert rep.post(f"/meetings/{mid}/submit").json["status"] == "submitted"
    approved = pm.post(f"/meetings/{mid}/approve", {"comment": "同意"})
    assert approved.status_code == 200
    assert approved.json["status"] == "approved"
    assert approved.json["history"][-1]["comment"] == "同意"
    budgets = pm.get(f"/provinces/{org.province.id}/budgets").json
    assert any(b["remaining"] == "48000.00" and b["allocated"] == "50000.00" for b in budgets)
    assert rep.post(f"/meetings/{mid}/start").json["status"] == "in_progress"
    assert rep.post(f"/meetings/{mid}/finish").json["status"] == "held"
    conflict = rep.post(f"/meetings/{mid}/submit")
    assert conflict.status_code == 409
    assert conflict.json["reason"] == "invalid_transition"


def test_return_and_patch(org, api_as, body, invite):
    rep, pm = api_as(org.rep), api_as(org.pm)
    mid = rep.post("/meetings", body).json["id"]
    invite(rep, mid)
    assert rep.post(f"/meetings/{mid}/submit").status_code == 200
    assert rep.patch(f"/meetings/{mid}", {"topic": "x"}).status_code == 409
    assert pm.post(f"/meetings/{mid}/return").status_code == 422
    returned = pm.post(f"/meetings/{mid}/return", {"comment": "fewer meals"})
    assert returned.json["status"] == "draft"
    patched = rep.patch(f"/meetings/{mid}", {"topic": "新题目", "expected_attendees": 12})
    assert patched.status_code == 200
    assert patched.json["topic"] == "新题目" and patched.json["expected_attendees"] == 12


def test_pool_exhausted_is_409_and_nothing_changes(org, api_as, body, invite):
    from meetings.orgs.models import BudgetPool
    rep, pm = api_as(org.rep), api_as(org.pm)
    mid = rep.post("/meetings", body).json["id"]
    invite(rep, mid)
    assert rep.post(f"/meetings/{mid}/submit").status_code == 200
    for pool in db.session.query(BudgetPool).all():
        pool.amount = Decimal("100")
    db.session.commit()
    response = pm.post(f"/meetings/{mid}/approve")
    assert response.status_code == 409
    assert response.json["reason"] == "pool_exhausted"
    assert rep.get(f"/meetings/{mid}").json["status"] == "submitted"
    assert all(p.spent == 0 for p in db.session.query(BudgetPool).all())


def test_roles_and_visibility(org, api_as, body, make_user, make_province, invite):
    mid = api_as(org.rep).post("/meetings", body).json["id"]
    other_rep = api_as(make_user("rep", province=org.province))
    assert other_rep.get(f"/meetings/{mid}").status_code == 404
    assert other_rep.get("/meetings").json == []
    foreign_pm = api_as(make_user("provincial_manager", province=make_province()))
    assert foreign_pm.get(f"/meetings/{mid}").status_code == 404
    assert api_as(org.staff).post("/meetings", body).status_code == 403
    invite(api_as(org.rep), mid)
    assert api_as(org.rep).post(f"/meetings/{mid}/submit").status_code == 200
    assert api_as(org.rep).post(f"/meetings/{mid}/approve").status_code == 403
    assert api_as(org.marketing).get(f"/meetings/{mid}").status_code == 200
    assert api_as(org.marketing).get(f"/meetings/{mid}").json["checkin_url"] is None
    assert api_as(org.rep).get("/meetings/999999").status_code == 404


def test_list_filters_and_pagination(org, api_as, body, invite):
    rep = api_as(org.rep)
    ids = [rep.post("/meetings", body).json["id"] for _ in range(3)]
    invite(rep, ids[0])
    assert rep.post(f"/meetings/{ids[0]}/submit").status_code == 200
    response = rep.get("/meetings?page=1&page_size=2")
    assert response.status_code == 200 and len(response.json) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert [m["id"] for m in rep.get("/meetings?status=submitted").json] == [ids[0]]
    assert len(rep.get(f"/meetings?province_id={org.province.id}").json) == 3
    assert rep.get("/meetings?province_id=99999").json == []
    assert rep.get("/meetings?province_id=abc").status_code == 422
    assert rep.get("/meetings?page_size=501").status_code == 422
    assert rep.get("/meetings?status=bogus").status_code == 422
    far = (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()
    assert rep.get("/meetings", query_string={"from": far}).json == []


@pytest.mark.parametrize("change, field", [
    ({"expected_attendees": "many"}, "expected_attendees"),
    ({"expected_attendees": 0}, "expected_attendees"),
    ({"topic": "x" * 10000}, "topic"),
    ({"purpose": "party"}, "purpose"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"hospital_id": 999999}, "hospital_id"),
    ({"speaker_id": 999999}, "speaker_id"),
    ({"budget": {"lines": [{"category": "meals", "amount": "abc"}]}}, "budget"),
    ({"budget": {"lines": [{"category": "meals", "amount": "-5"}]}}, "budget"),
    ({"budget": {"lines": [{"category": "meals", "amount": "NaN"}]}}, "budget"),
    ({"budget": {"lines": [{"category": "meals", "amount": "6000"}]}}, "budget"),
])
def test_bad_input_is_a_4xx_naming_the_field(org, api_as, body, change, field):
    body.update(change)
    response = api_as(org.rep).post("/meetings", body)
    assert response.status_code == 422, response.json
    assert field in response.json["message"] or field in json.dumps(response.json.get("errors"))
    assert db.session.query(Meeting).count() == 0


def test_missing_fields_malformed_json_and_wrong_content_type(org, api_as, client, body):
    rep = api_as(org.rep)
    missing = rep.post("/meetings", {"topic": "x"})
    assert missing.status_code == 422
    assert "hospital_id" in missing.json["errors"]
    headers = {"Authorization": f"Bearer {rep.token}", "Content-Type": "application/json"}
    malformed = client.post("/api/v1/meetings", data="{not json", headers=headers)
    assert malformed.status_code == 400 and malformed.json["message"]
    wrong_type = client.post("/api/v1/meetings", data="topic=x",
                             headers={"Authorization": f"Bearer {rep.token}",
                                      "Content-Type": "text/plain"})
    assert 400 <= wrong_type.status_code < 500
    not_object = client.post("/api/v1/meetings", data="[1,2]", headers=headers)
    assert 400 <= not_object.status_code < 500
    assert db.session.query(Meeting).count() == 0


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json

    def bounds(node):  # every minimum/maximum in the document must be a number
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("minimum", "maximum"):
                    yield value
                yield from bounds(value)
        elif isinstance(node, list):
            for value in node:
                yield from bounds(value)

    assert all(isinstance(b, (int, float)) for b in bounds(spec))
    assert "/api/v1/meetings/{meeting_id}/approve" in spec["paths"]
    assert "/api/v1/auth/token" in spec["paths"]
    for form in ("proposal.pdf", "summary.pdf"):
        content = spec["paths"][f"/api/v1/meetings/{{meeting_id}}/{form}"]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/pdf"]


def test_proposal_pdf_follows_the_meetings_visibility(org, api_as, body, make_province, make_user):
    from tests.pdf_helpers import text_of

    rep = api_as(org.rep)
    meeting_id = rep.post("/meetings", body).json["id"]
    url = f"/meetings/{meeting_id}/proposal.pdf"
    assert api_as().get(url).status_code == 401
    response = rep.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="proposal-{meeting_id}.pdf"'
    _reader, text = text_of(response.data)
    assert "1500.00" in text and "2000.00" in text
    for user in (org.pm, org.staff, org.rm, org.marketing, org.admin):
        assert api_as(user).get(url).status_code == 200, user.role
    other_rep = make_user("rep", province=org.province)
    stranger = make_user("provincial_manager", province=make_province())
    for user in (other_rep, stranger):
        missing = api_as(user).get(url)
        assert missing.status_code == 404 and missing.json["reason"] == "not_found"
    assert rep.get("/meetings/99999/proposal.pdf").status_code == 404


def test_absurd_numbers_are_4xx_not_500(org, api_as, body):
    rep = api_as(org.rep)
    huge = 10**30
    assert rep.get(f"/meetings/{huge}").status_code == 404
    assert 400 <= rep.post(f"/meetings/{huge}/invitees", {"doctor_id": 1}).status_code < 500
    assert rep.get(f"/meetings/{huge}/sign-in-sheet.pdf").status_code == 404
    assert rep.get(f"/meetings?page={huge}").status_code == 200
    assert rep.get(f"/meetings?page={huge}").json == []
    # beyond 64 bits is refused with the body (400); within, the field's range names it (422)
    assert rep.post("/meetings", {**body, "hospital_id": huge}).status_code == 400
    assert rep.post("/meetings", {**body, "hospital_id": 2**40}).status_code == 422


def test_patch_checks_a_sent_budget_line_whole(org, api_as, body):
    rep = api_as(org.rep)
    mid = rep.post("/meetings", body).json["id"]
    response = rep.patch(f"/meetings/{mid}", {"budget": {"lines": [{"amount": "10"}]}})
    assert response.status_code == 422
    assert "category" in json.dumps(response.json["errors"])
    assert rep.get(f"/meetings/{mid}").json["budget"]["total"] == "2000.00"
