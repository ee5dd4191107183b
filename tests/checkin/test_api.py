from datetime import datetime, timedelta, timezone

from meetings.types import utcnow


def test_post_creates_with_201_and_a_repeat_answers_200_with_the_first(org, meeting_with, doctors, api_as):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="in_progress")
    api = api_as(org.staff)
    first = api.post(f"/meetings/{meeting.id}/checkins", json={"doctor_id": doc.id, "meal_opt_in": True})
    assert first.status_code == 201, first.json
    body = first.json
    assert body["doctor_id"] == doc.id and body["name"] == doc.name and body["title"] == "attending"
    assert body["invited"] is True and body["source"] == "staff" and body["meal_opt_in"] is True
    assert datetime.fromisoformat(body["checked_in_at"]).utcoffset() == timedelta(hours=8)
    again = api.post(f"/meetings/{meeting.id}/checkins", json={"doctor_id": doc.id})
    assert again.status_code == 200 and again.json == body
    assert api.get(f"/meetings/{meeting.id}/checkins/{body['id']}").json == body
    listing = api.get(f"/meetings/{meeting.id}/checkins")
    assert listing.status_code == 200 and listing.json == [body]
    assert "X-Pagination" in listing.headers


def test_a_walk_in_by_name_and_title_with_a_nonce_retry(org, meeting_with, api_as):
    meeting = meeting_with([], status="in_progress")
    api = api_as(org.rep)
    data = {"name": "陈医生", "title": "resident", "nonce": "c0ffee-0001"}
    first = api.post(f"/meetings/{meeting.id}/checkins", json=data)
    assert first.status_code == 201 and first.json["doctor_id"] is None
    assert first.json["invited"] is False
    retry = api.post(f"/meetings/{meeting.id}/checkins", json=data)
    assert retry.status_code == 200 and retry.json["id"] == first.json["id"]


def test_a_paper_entry_keeps_the_time_written_on_the_sheet(org, meeting_with, doctors, api_as):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="held")
    written = (utcnow() - timedelta(minutes=10)).astimezone(timezone(timedelta(hours=8)))
    response = api_as(org.staff).post(f"/meetings/{meeting.id}/checkins", json={
        "doctor_id": doc.id, "source": "paper", "checked_in_at": written.isoformat()})
    assert response.status_code == 201, response.json
    assert datetime.fromisoformat(response.json["checked_in_at"]) == written
    assert response.json["source"] == "paper"


def test_wrong_role_is_403_an_invisible_meeting_404_and_a_wrong_state_409(
        org, meeting_with, doctors, api_as, make_user, make_province):
    from meetings.auth.models import Role

    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="in_progress")
    refused = api_as(org.marketing).post(f"/meetings/{meeting.id}/checkins", json={"doctor_id": doc.id})
    assert refused.status_code == 403 and refused.json["reason"] == "forbidden"
    stranger = make_user(Role.staff, province=make_province())
    hidden = api_as(stranger).post(f"/meetings/{meeting.id}/checkins", json={"doctor_id": doc.id})
    assert hidden.status_code == 404
    assert api_as(stranger).get(f"/meetings/{meeting.id}/attendance").status_code == 404
    assert api_as(org.staff).get(f"/meetings/{meeting.id}/checkins/999").status_code == 404
    draft = meeting_with([], status="draft")
    closed = api_as(org.rep).post(f"/meetings/{draft.id}/checkins", json={"name": "甲", "title": "other"})
    assert closed.status_code == 409 and closed.json["reason"] == "invalid_transition"


def test_bad_input_is_422_naming_the_field(org, meeting_with, api_as):
    meeting = meeting_with([], status="in_progress")
    api = api_as(org.staff)
    cases = [({}, "name"), ({"name": "甲"}, "title"), ({"name": "甲", "title": "professor"}, "title"),
             ({"doctor_id": "x"}, "doctor_id"), ({"name": "甲", "title": "other", "source": "self"}, "source"),
             ({"name": "甲", "title": "other", "nonce": "bad nonce!"}, "nonce"),
             ({"name": "甲", "title": "other", "source": "paper"}, "checked_in_at"),
             ({"name": "甲", "title": "other", "signature": "data:image/png;base64,AAAA"}, "signature")]
    for body, field in cases:
        response = api.post(f"/meetings/{meeting.id}/checkins", json=body)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], (body, response.json)


def test_attendance_figures(org, meeting_with, doctors, api_as):
    c1, c2 = doctors("C", "C")
    meeting = meeting_with([c1, c2], status="in_progress")
    api = api_as(org.rep)
    api.post(f"/meetings/{meeting.id}/checkins", json={"doctor_id": c1.id})
    api.post(f"/meetings/{meeting.id}/checkins", json={"name": "乙", "title": "nurse"})
    figures = api_as(org.marketing).get(f"/meetings/{meeting.id}/attendance")
    assert figures.status_code == 200
    assert figures.json == {"expected": 2, "present": 2, "attended_invited": 1, "attendance_rate": 1.0,
                            "accuracy_rate": 0.5, "invited_attendance_rate": 0.5, "key_expected": 0,
                            "key_present": 0, "key_attendance_rate": None}


def test_the_sign_in_sheet_is_a_pdf(org, meeting_with, doctors, api_as):
    meeting = meeting_with(doctors("C"), status="approved")
    response = api_as(org.staff).get(f"/meetings/{meeting.id}/sign-in-sheet.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_the_invitee_list_flags_frequent_attendees(org, meeting_with, doctors, api_as):
    from meetings.checkin import services

    (regular,) = doctors("C")
    for _ in range(3):
        services.check_in(org.staff, meeting_with([regular], status="in_progress"), doctor_id=regular.id)
    meeting = meeting_with([regular], status="draft")
    listed = api_as(org.rep).get(f"/meetings/{meeting.id}/invitees").json
    assert listed[0]["frequent"] is True and listed[0]["recent_meetings"] == 3


def test_the_openapi_document_lists_the_check_in_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/meetings/{meeting_id}/checkins", "/api/v1/meetings/{meeting_id}/checkins/{checkin_id}",
                 "/api/v1/meetings/{meeting_id}/attendance", "/api/v1/meetings/{meeting_id}/sign-in-sheet.pdf"):
        assert path in paths
