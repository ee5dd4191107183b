from datetime import datetime, timedelta, timezone

import time_machine

from meetings.agenda import services


def shanghai(moment):
    return moment.astimezone(timezone(timedelta(hours=8))).isoformat()

SEGMENTS = [{"kind": "video", "title": "公司简介", "planned_minutes": 8},
            {"kind": "talk", "title": "产品宣讲", "planned_minutes": 20},
            {"kind": "quiz", "title": "有奖问答", "planned_minutes": 5,
             "quiz": [{"question": "每日几次?", "answer": "两次"}]},
            {"kind": "chief_review", "title": "主任点评", "planned_minutes": 5},
            {"kind": "closing", "title": "礼品与用餐", "planned_minutes": None}]


def test_get_returns_the_default_agenda(org, api_as, make_meeting):
    meeting = make_meeting()
    body = api_as(org.rep).get(f"/meetings/{meeting.id}/agenda").json
    assert [s["kind"] for s in body["segments"]] == ["video", "talk", "quiz", "chief_review", "closing"]
    assert set(body["segments"][0]) >= {"id", "kind", "title", "planned_minutes", "started_at",
                                        "finished_at"}
    assert body["planned_total_minutes"] == 30 and body["warnings"]  # the quiz has no questions yet


def test_put_replaces_the_plan_and_warns_over_35(org, api_as, make_meeting):
    meeting = make_meeting()
    response = api_as(org.rep).put(f"/meetings/{meeting.id}/agenda", {"segments": SEGMENTS})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["planned_total_minutes"] == 38
    assert body["warnings"] and "38" in body["warnings"][0]
    assert body["segments"][2]["quiz"] == [{"question": "每日几次?", "answer": "两次"}]
    assert api_as(org.pm).get(f"/meetings/{meeting.id}/agenda").json == body


def test_put_refuses_broken_rules_naming_the_field(org, api_as, make_meeting):
    meeting = make_meeting()
    rep = api_as(org.rep)
    long_talk = [dict(SEGMENTS[1], planned_minutes=30)]
    response = rep.put(f"/meetings/{meeting.id}/agenda", {"segments": long_talk})
    assert response.status_code == 422 and response.json["reason"] == "agenda_rule"
    assert "segments.0.planned_minutes" in response.json["errors"]
    too_long = SEGMENTS[:4] + [{"kind": "qa", "title": "提问", "planned_minutes": 10}]
    response = rep.put(f"/meetings/{meeting.id}/agenda", {"segments": too_long})
    assert response.status_code == 422 and "planned_total_minutes" in response.json["errors"]
    bad = rep.put(f"/meetings/{meeting.id}/agenda", {"segments": [{"kind": "dance", "title": "x"}]})
    assert bad.status_code == 422 and "segments" in bad.json["errors"]
    assert rep.put(f"/meetings/{meeting.id}/agenda", {"segments": []}).status_code == 422
    assert rep.put(f"/meetings/{meeting.id}/agenda", {}).status_code == 422


def test_agenda_permissions(org, api_as, make_meeting, make_province, make_user):
    meeting = make_meeting()
    url = f"/meetings/{meeting.id}/agenda"
    assert api_as().get(url).status_code == 401
    assert api_as(org.pm).put(url, {"segments": SEGMENTS}).status_code == 403
    stranger = make_user("rep", province=make_province())
    assert api_as(stranger).get(url).status_code == 404
    assert api_as(org.rep).get("/meetings/99999/agenda").status_code == 404
    held = make_meeting("held")
    assert api_as(org.rep).put(f"/meetings/{held.id}/agenda",
                               {"segments": SEGMENTS}).status_code == 409


def test_run_of_show_start_and_finish(org, api_as, make_meeting):
    meeting = make_meeting("in_progress")
    staff = api_as(org.staff)
    ids = [s["id"] for s in staff.get(f"/meetings/{meeting.id}/agenda").json["segments"]]
    base = f"/meetings/{meeting.id}/agenda"
    t0 = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(t0, tick=False):
        started = staff.post(f"{base}/{ids[0]}/start")
    assert started.status_code == 200
    assert started.json["running_segment_id"] == ids[0]
    assert started.json["segments"][0]["started_at"] == shanghai(t0)
    with time_machine.travel(t0 + timedelta(minutes=6), tick=False):
        body = staff.post(f"{base}/{ids[1]}/start").json
    assert body["segments"][0]["finished_at"] == shanghai(t0 + timedelta(minutes=6))
    assert body["segments"][0]["actual_minutes"] == 6.0 and body["segments"][0]["overrun_seconds"] == 60
    with time_machine.travel(t0 + timedelta(minutes=20), tick=False):
        body = staff.post(f"{base}/{ids[1]}/finish").json
    assert body["running_segment_id"] is None
    assert body["segments"][1]["actual_seconds"] == 14 * 60 and not body["segments"][1]["overrun"]
    assert staff.post(f"{base}/{ids[1]}/finish").status_code == 409
    assert staff.post(f"{base}/{ids[2]}/finish").json["reason"] == "conflict"
    assert staff.post(f"{base}/{ids[0]}/start").status_code == 409
    assert staff.post(f"{base}/99999/start").status_code == 404


def test_run_of_show_permissions_and_state(org, api_as, make_meeting):
    approved = make_meeting("approved")
    sid = api_as(org.rep).get(f"/meetings/{approved.id}/agenda").json["segments"][0]["id"]
    response = api_as(org.rep).post(f"/meetings/{approved.id}/agenda/{sid}/start")
    assert response.status_code == 409 and response.json["reason"] == "invalid_transition"
    meeting = make_meeting("in_progress")
    sid = api_as(org.rep).get(f"/meetings/{meeting.id}/agenda").json["segments"][0]["id"]
    assert api_as(org.rm).post(f"/meetings/{meeting.id}/agenda/{sid}/start").status_code == 403
    assert api_as(org.marketing).post(f"/meetings/{meeting.id}/agenda/{sid}/start").status_code == 403
    assert api_as().post(f"/meetings/{meeting.id}/agenda/{sid}/start").status_code == 401


def test_checklist_api(org, api_as, make_meeting):
    meeting = make_meeting("approved")
    rep = api_as(org.rep)
    body = rep.get(f"/meetings/{meeting.id}/checklist").json
    assert len(body["items"]) == 12 and len(body["unticked"]) == 12 and not body["complete"]
    assert body["arrive_by"] and body["room_ready_by"]
    items = [{"id": i["id"], "ticked": True} for i in body["items"][1:]]
    items.append({"label": "电池备用", "ticked": False})
    response = rep.put(f"/meetings/{meeting.id}/checklist", {"items": items})
    assert response.status_code == 200
    assert [i["label"] for i in response.json["unticked"]] == ["电池备用"]
    assert len(response.json["items"]) == 12
    assert api_as(org.staff).put(f"/meetings/{meeting.id}/checklist", {"items": []}).status_code == 403
    bad = rep.put(f"/meetings/{meeting.id}/checklist", {"items": [{"id": 99999, "ticked": True}]})
    assert bad.status_code == 422 and "items.0.id" in bad.json["errors"]
    assert rep.put(f"/meetings/{meeting.id}/checklist", {"items": "x"}).status_code == 422
    held = make_meeting("held")
    assert rep.put(f"/meetings/{held.id}/checklist", {"items": []}).status_code == 409
    assert api_as().get(f"/meetings/{meeting.id}/checklist").status_code == 401


def test_a_new_meeting_has_its_default_agenda_and_checklist_from_its_creation(org, api_as):
    """Reading them writes nothing (older meetings got theirs from the data
    migration 2026_12_07_5d1e0c4b7a92, tests/agenda/test_migration.py)."""
    from tests.conftest import jsonable, meeting_data
    created = api_as(org.rep).post("/meetings", jsonable(meeting_data(org)))
    assert created.status_code == 201, created.json
    meeting_id = created.json["id"]
    assert len(api_as(org.rep).get(f"/meetings/{meeting_id}/agenda").json["segments"]) == 5
    items = api_as(org.rep).get(f"/meetings/{meeting_id}/checklist").json["items"]
    assert len(items) == len(services.DEFAULT_CHECKLIST)
