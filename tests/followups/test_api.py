import json
from datetime import timedelta

import time_machine

from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.questions.models import Question

from .conftest import at_local

FIELDS = {"id", "meeting_id", "doctor_id", "assignee_id", "kind", "not_before", "due_on", "status",
          "overdue", "outcome", "notes"}


def _held(org, hold, make_doctor):
    came, absent = make_doctor(org.hospital, "C"), make_doctor(org.hospital, "C")
    meeting = hold(primaries=[came, absent], present=[came], walk_ins=["赵"])
    return meeting, came, absent


def test_the_rep_lists_filters_and_reads_their_tasks(org, hold, make_doctor, api_as):
    meeting, came, absent = _held(org, hold, make_doctor)
    rep = api_as(org.rep)
    listed = rep.get("/followups?page_size=2")
    assert listed.status_code == 200 and len(listed.json) == 2
    assert json.loads(listed.headers["X-Pagination"])["total"] == 3
    task = listed.json[0]
    assert set(task) >= FIELDS
    assert task["status"] == "open" and task["overdue"] is False and task["outcome"] is None
    assert task["not_before"] == (meeting.starts_at.astimezone(_zone()).date() + timedelta(days=1)).isoformat()
    kinds = {(t["kind"], t["doctor_id"]) for t in rep.get("/followups").json}
    assert kinds == {("visit", came.id), ("visit", None), ("gift_delivery", absent.id)}
    assert len(rep.get(f"/followups?meeting_id={meeting.id}").json) == 3
    assert rep.get(f"/followups?meeting_id={meeting.id + 1}").json == []
    assert len(rep.get(f"/followups?assignee_id={org.rep.id}").json) == 3
    assert rep.get("/followups?status=done").json == []
    assert rep.get("/followups?status=overdue").json == []
    assert rep.get("/followups?status=late").status_code == 422
    assert rep.get("/followups?meeting_id=abc").status_code == 422
    one = rep.get(f"/followups/{task['id']}")
    assert one.status_code == 200 and one.json["id"] == task["id"]
    with time_machine.travel(at_local(_first_due(), 12) + timedelta(days=1)):
        overdue = api_as(org.rep).get("/followups?status=overdue").json  # a fresh token, days later
        assert len(overdue) == 3 and all(t["overdue"] for t in overdue)


def _zone():
    from meetings.types import local_zone
    return local_zone()


def _first_due():
    return db.session.query(FollowUp).order_by(FollowUp.id).first().due_on


def test_visibility_per_role(org, hold, make_doctor, api_as, make_user, make_province, make_region):
    _held(org, hold, make_doctor)
    task_id = db.session.query(FollowUp).first().id
    for user in (org.rep, org.pm, org.rm, org.admin, org.marketing):
        assert len(api_as(user).get("/followups").json) == 3, user
        assert api_as(user).get(f"/followups/{task_id}").status_code == 200
    other_rep = make_user("rep", province=org.province)
    far_pm = make_user("provincial_manager", province=make_province())
    far_rm = make_user("regional_manager", region=make_region())
    for user in (other_rep, far_pm, far_rm, org.staff):
        assert api_as(user).get("/followups").json == []
        assert api_as(user).get(f"/followups/{task_id}").status_code == 404
        assert api_as(user).patch(f"/followups/{task_id}", {"status": "done", "outcome": "committed"}
                                  ).status_code == 404
    assert api_as().get("/followups").status_code == 401
    assert api_as().get(f"/followups/{task_id}").status_code == 401
    assert api_as(org.rep).get("/followups/999999").status_code == 404


def test_the_assignee_completes_a_task(org, hold, make_doctor, api_as):
    meeting, came, _absent = _held(org, hold, make_doctor)
    task = db.session.query(FollowUp).filter_by(doctor_id=came.id).one()
    rep = api_as(org.rep)
    url = f"/followups/{task.id}"
    done = rep.patch(url, {"status": "done", "outcome": "committed", "notes": "下周开始用",
                           "question": "老年人剂量?"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["outcome"] == "committed"
    assert done.json["notes"] == "下周开始用" and done.json["overdue"] is False
    assert done.json["raised_question_id"] is not None
    question = db.session.query(Question).one()
    assert question.text == "老年人剂量?" and question.doctor_id == came.id
    listed = api_as(org.marketing).get("/questions").json
    assert [q["text"] for q in listed] == ["老年人剂量?"]
    assert len(rep.get("/followups?status=done").json) == 1
    assert len(rep.get("/followups?status=open").json) == 2
    again = rep.patch(url, {"status": "done", "outcome": "committed", "notes": "下周开始用",
                            "question": "老年人剂量?"})
    assert again.status_code == 200 and db.session.query(Question).count() == 1
    other = rep.patch(url, {"status": "done", "outcome": "committed", "question": "别的"})
    assert other.status_code == 409


def test_completing_refusals(org, hold, make_doctor, api_as):
    _held(org, hold, make_doctor)
    task_id = db.session.query(FollowUp).first().id
    url = f"/followups/{task_id}"
    rep = api_as(org.rep)
    for body, field in (({"status": "done"}, "outcome"), ({"status": "done", "outcome": "yes"}, "outcome"),
                        ({"outcome": None}, "outcome"), ({"status": "open", "outcome": "committed"}, "status"),
                        ({"outcome": "committed", "notes": "x" * 5001}, "notes"),
                        ({"outcome": 3}, "outcome")):
        response = rep.patch(url, body)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], (body, response.json)
    assert rep.client.patch("/api/v1" + url, data="not json", content_type="application/json",
                            headers=rep._headers()).status_code in (400, 422)
    for user in (org.pm, org.rm, org.admin, org.marketing):
        response = api_as(user).patch(url, {"status": "done", "outcome": "committed"})
        assert response.status_code == 403 and response.json["reason"] == "forbidden"
    assert api_as().patch(url, {"status": "done", "outcome": "committed"}).status_code == 401
    assert db.session.get(FollowUp, task_id).status.value == "open"


def test_openapi_documents_the_followups(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/followups" in paths and "patch" in paths["/api/v1/followups/{followup_id}"]
