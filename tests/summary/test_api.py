from meetings.proposals.models import Status

BODY = {
    "organization": "提前一小时到场, 会场布置顺利",
    "agenda_notes": "讲解超时五分钟",
    "feedback": "主任认可疗效",
    "chief_endorsed": "起效快",
    "chief_disputed": "价格偏高",
    "next_steps": "一周内回访全部参会医生",
    "questions": [{"text": "老年患者是否减量?"}],
    "actual_spend": [{"category": "meals", "amount": "1400.00"},
                     {"category": "gifts", "amount": "520.5"}],
}


def test_put_summary_then_get_it(org, api_as, make_meeting, make_doctor):
    meeting = make_meeting("held", diners=5)
    doctor = make_doctor(org.hospital)
    body = dict(BODY, questions=[{"text": "老年患者是否减量?", "doctor_id": doctor.id}, {"text": "疗程?"}])
    response = api_as(org.rep).put(f"/meetings/{meeting.id}/summary", body)
    assert response.status_code == 200, response.json
    out = response.json
    for key in ("organization", "agenda_notes", "feedback", "chief_endorsed", "chief_disputed",
                "next_steps"):
        assert out[key] == BODY[key]
    assert out["actual_spend"][1] == {"category": "gifts", "amount": "520.50", "note": None}
    assert (out["actual_total"], out["approved_total"], out["variance"]) == ("1920.50", "2000.00", "-79.50")
    assert {r["category"]: r["variance"] for r in out["by_category"]} == {"gifts": "20.50",
                                                                           "meals": "-100.00"}
    assert [(q["text"], q["doctor_id"], q["status"]) for q in out["questions"]] == \
        [("老年患者是否减量?", doctor.id, "open"), ("疗程?", None, "open")]
    assert out["agenda"]["planned_total_minutes"] == 30
    meeting_json = api_as(org.rep).get(f"/meetings/{meeting.id}").json
    assert meeting_json["status"] == "summarized"
    assert api_as(org.marketing).get(f"/meetings/{meeting.id}/summary").json == out
    again = api_as(org.rep).put(f"/meetings/{meeting.id}/summary", body)
    assert again.status_code == 200 and len(again.json["questions"]) == 2


def test_summary_refusals(org, api_as, make_meeting, make_province, make_user):
    meeting = make_meeting("held", expected_attendees=5, diners=5)
    url = f"/meetings/{meeting.id}/summary"
    rep = api_as(org.rep)
    assert api_as().put(url, BODY).status_code == 401
    assert api_as(org.pm).put(url, BODY).status_code == 403
    assert api_as(make_user("rep", province=make_province())).put(url, BODY).status_code == 404
    assert rep.get(url).status_code == 404  # not written yet
    over = rep.put(url, dict(BODY, actual_spend=[{"category": "meals", "amount": "1500.05"}]))
    assert over.status_code == 422 and over.json["reason"] == "compliance_cap"
    assert "300.01" in over.json["message"] and "actual_spend" in over.json["errors"]
    bad = rep.put(url, dict(BODY, actual_spend=[{"category": "meals", "amount": "-1"}]))
    assert bad.status_code == 422 and "actual_spend" in bad.json["errors"]
    bad = rep.put(url, dict(BODY, questions=[{"text": "", "doctor_id": None}]))
    assert bad.status_code == 422
    wrong_doctor = rep.put(url, dict(BODY, questions=[{"text": "?", "doctor_id": 99999}]))
    assert wrong_doctor.status_code == 422 and "questions.0.doctor_id" in wrong_doctor.json["errors"]
    assert rep.get(f"/meetings/{meeting.id}").json["status"] == Status.held.value
    approved = make_meeting("approved")
    conflict = rep.put(f"/meetings/{approved.id}/summary", BODY)
    assert conflict.status_code == 409 and conflict.json["reason"] == "invalid_transition"


def test_summary_pdf_follows_the_meetings_visibility(org, api_as, make_meeting, make_province, make_user):
    from tests.pdf_helpers import text_of

    meeting = make_meeting("held", diners=5)
    url = f"/meetings/{meeting.id}/summary.pdf"
    rep = api_as(org.rep)
    assert api_as().get(url).status_code == 401
    missing = rep.get(url)
    assert missing.status_code == 404 and missing.json["reason"] == "not_found"
    assert missing.json["message"] == "this meeting has no summary yet"  # the API speaks English unless asked
    assert rep.put(f"/meetings/{meeting.id}/summary", BODY).status_code == 200
    for user in (org.rep, org.pm, org.staff, org.rm, org.marketing, org.admin):
        response = api_as(user).get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf", user.role
    _reader, text = text_of(response.data)
    for expected in ("2000.00", "1920.50", "-79.50", "老年患者是否减量?", "价格偏高"):
        assert expected in text, expected
    stranger = make_user("provincial_manager", province=make_province())
    assert api_as(stranger).get(url).status_code == 404
    assert rep.get("/meetings/99999/summary.pdf").status_code == 404
