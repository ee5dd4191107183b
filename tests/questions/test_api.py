import json

from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind
from tests.conftest import filled_summary

SPEND = [{"category": "gifts", "amount": "1500.00"}]


def summarize(api_as, org, make_meeting, questions):
    meeting = make_meeting("held", diners=5)
    response = api_as(org.rep).put(f"/meetings/{meeting.id}/summary",
                                   {**filled_summary(questions=questions), "actual_spend": SPEND})
    assert response.status_code == 200, response.json
    return meeting


def test_inbox_lists_filters_and_pages(org, api_as, make_meeting):
    meeting = summarize(api_as, org, make_meeting, [{"text": f"问题{i}"} for i in range(3)])
    marketing = api_as(org.marketing)
    listed = marketing.get("/questions?page_size=2")
    assert listed.status_code == 200 and len(listed.json) == 2
    assert json.loads(listed.headers["X-Pagination"])["total"] == 3
    first = listed.json[0]
    assert set(first) >= {"id", "meeting_id", "doctor_id", "text", "status", "answer"}
    assert first["meeting_id"] == meeting.id and first["status"] == "open" and first["answer"] is None
    answered = marketing.post(f"/questions/{first['id']}/answer", {"answer": "可以"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    assert [q["id"] for q in marketing.get("/questions?status=answered").json] == [first["id"]]
    assert len(marketing.get("/questions?status=open").json) == 2
    assert marketing.get("/questions?status=maybe").status_code == 422
    assert marketing.get(f"/questions/{first['id']}").json["answer"] == "可以"
    assert len(api_as(org.rep).get("/questions").json) == 3
    assert len(api_as(org.admin).get("/questions").json) == 3


def test_answer_refusals(org, api_as, make_meeting, make_user):
    summarize(api_as, org, make_meeting, [{"text": "剂量?"}])
    qid = api_as(org.marketing).get("/questions").json[0]["id"]
    url = f"/questions/{qid}/answer"
    assert api_as().post(url, {"answer": "x"}).status_code == 401
    assert api_as(org.rep).post(url, {"answer": "x"}).status_code == 403
    assert api_as(org.admin).post(url, {"answer": "x"}).status_code == 403
    other_rep = make_user("rep", province=org.province)
    assert api_as(other_rep).get(f"/questions/{qid}").status_code == 404
    assert api_as(other_rep).get("/questions").json == []
    marketing = api_as(org.marketing)
    assert marketing.post(url, {}).status_code == 422
    assert marketing.post(url, {"answer": ""}).status_code == 422
    assert marketing.post("/questions/99999/answer", {"answer": "x"}).status_code == 404
    assert marketing.post(url, {"answer": "每日两次"}).status_code == 200
    again = marketing.post(url, {"answer": "每日三次"})
    assert again.status_code == 409 and again.json["reason"] == "conflict"
    assert marketing.get(f"/questions/{qid}").json["answer"] == "每日两次"
    assert db.session.query(FollowUp).filter_by(kind=FollowUpKind.answer_relay).count() == 1
