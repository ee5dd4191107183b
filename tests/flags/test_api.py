"""/meetings/{id}/flags and the close gate's 409 body (SPEC §10, §12)."""
from __future__ import annotations

from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.extensions import db
from meetings.summary import services as summary
from tests.conftest import filled_summary


def test_flag_answer_resolve_through_the_api(org, api_as, make_meeting, compliance):
    meeting = make_meeting("approved")
    url = f"/meetings/{meeting.id}/flags"
    officer, rep, pm = api_as(compliance), api_as(org.rep), api_as(org.pm)
    assert api_as().post(url, {"reason": "x"}).status_code == 401
    assert rep.post(url, {"reason": "x"}).status_code == 403
    missing = officer.post(url, {})
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    created = officer.post(url, {"reason": "餐费偏高，请说明"})
    assert created.status_code == 201, created.json
    flag = created.json
    assert (flag["status"], flag["open"], flag["reason"], flag["meeting_id"]) == (
        "open", True, "餐费偏高，请说明", meeting.id)
    assert [f["id"] for f in rep.get(url).json] == [flag["id"]]
    assert rep.get(f"{url}/{flag['id']}").json["status"] == "open"
    assert api_as(org.staff).post(f"{url}/{flag['id']}/answer", {"comment": "?"}).status_code == 403
    answered = pm.post(f"{url}/{flag['id']}/answer", {"comment": "到会人数多于预期"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    assert rep.post(f"{url}/{flag['id']}/resolve").status_code == 403
    resolved = officer.post(f"{url}/{flag['id']}/resolve")
    assert resolved.status_code == 200 and resolved.json["open"] is False
    again = officer.post(f"{url}/{flag['id']}/resolve")
    assert again.status_code == 409 and again.json["reason"] == "flag_resolved"
    assert rep.get(f"{url}/999999").status_code == 404


def test_compliance_reads_every_province_and_the_action_log(org, api_as, make_meeting, compliance,
                                                            make_province, make_user):
    elsewhere = make_user("rep", province=make_province())
    hidden = make_meeting("draft")
    officer = api_as(compliance)
    assert officer.get(f"/meetings/{hidden.id}").status_code == 200
    assert officer.get("/meetings").json and officer.get(f"/meetings/{hidden.id}/flags").json == []
    assert api_as(elsewhere).get(f"/meetings/{hidden.id}/flags").status_code == 404
    log = officer.get("/audit", query_string={"object_type": "meeting", "object_id": hidden.id})
    assert log.status_code == 200 and [e["action"] for e in log.json] == ["create"]
    assert api_as(org.marketing).get("/audit").status_code == 403


def test_close_refused_with_every_gap_as_words(org, api_as, make_meeting, compliance):
    meeting = make_meeting("held")
    summary.save_summary(org.rep, meeting, **filled_summary(actual_spend=[{"category": "gifts", "amount": "0"}]))
    officer = api_as(compliance)
    officer.post(f"/meetings/{meeting.id}/flags", {"reason": "请说明"})
    refused = api_as(org.rep).post(f"/meetings/{meeting.id}/close")
    assert refused.status_code == 409
    body = refused.json
    assert (body["code"], body["status"], body["reason"]) == (409, "Conflict", "evidence_missing")
    assert list(body["errors"]) == ["flag_open"] and isinstance(body["errors"]["flag_open"], str)
    assert body["errors"]["flag_open"] in body["message"]
    assert api_as(org.rep).get(f"/meetings/{meeting.id}").json["status"] == "summarized"
    flag_id = officer.get(f"/meetings/{meeting.id}/flags").json[0]["id"]
    officer.post(f"/meetings/{meeting.id}/flags/{flag_id}/resolve")
    closed = api_as(org.rep).post(f"/meetings/{meeting.id}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    actions = db.session.scalars(select(ActionLogEntry.action).where(ActionLogEntry.object_type == "flag")).all()
    assert actions == ["flag", "resolve_flag"]
