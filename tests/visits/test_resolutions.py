"""Was the question resolved? (SPEC §15) — asked when a visit or an answer
relay to the doctor is completed; not resolved goes back to marketing, whose
new answer is a new relay task. The chief's disputed points become questions."""
import pytest
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.errors import InvalidInput
from meetings.extensions import db
from meetings.followups import services as followups
from meetings.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from meetings.questions import services as questions
from meetings.questions.models import Question, QuestionSource, QuestionStatus
from meetings.summary.services import questions_of, save_summary
from tests.conftest import filled_summary

from .conftest import visit_task


@pytest.fixture
def answered(org, make_doctor, met):
    """A doctor who came and asked; marketing answered: (doctor, meeting, question)."""
    doctor = make_doctor(org.hospital, "C")
    meeting = met(doctor)
    save_summary(org.rep, meeting, **filled_summary(
        questions=[{"text": "肾功能不全要减量吗？", "doctor_id": doctor.id}]))
    question = questions_of(meeting, QuestionSource.summary)[0]
    questions.answer(org.marketing, question, answer="eGFR<30 减半")
    db.session.commit()
    return doctor, meeting, question


def relays(question):
    return db.session.scalars(select(FollowUp).where(FollowUp.question_id == question.id,
                                                     FollowUp.kind == FollowUpKind.answer_relay)
                              .order_by(FollowUp.id)).all()


def test_every_answered_question_needs_its_resolution(org, answered):
    doctor, meeting, question = answered
    task = visit_task(meeting, doctor)
    assert followups.questions_to_resolve(task) == [question]
    with pytest.raises(InvalidInput) as refused:
        followups.complete(org.rep, task, outcome="committed")
    assert refused.value.field == "resolutions"
    db.session.rollback()
    with pytest.raises(InvalidInput) as refused:
        followups.complete(org.rep, task, outcome="committed",
                           resolutions=[{"question_id": question.id + 999, "resolved": True}])
    assert refused.value.field.startswith("resolutions.0")
    db.session.rollback()
    assert visit_task(meeting, doctor).status == FollowUpStatus.open


def test_resolved_needs_the_outcome_and_closes_the_question(org, answered):
    doctor, meeting, question = answered
    task = visit_task(meeting, doctor)
    with pytest.raises(InvalidInput) as refused:
        followups.complete(org.rep, task, resolutions=[{"question_id": question.id, "resolved": True}])
    assert refused.value.field == "outcome"
    db.session.rollback()
    followups.complete(org.rep, visit_task(meeting, doctor), outcome="committed",
                       resolutions=[{"question_id": question.id, "resolved": True}])
    db.session.commit()
    question = db.session.get(Question, question.id)
    assert question.resolved is True and question.status == QuestionStatus.answered
    # asked once: the relay of the same answer no longer asks
    assert followups.questions_to_resolve(relays(question)[0]) == []
    entry = db.session.scalar(select(ActionLogEntry).where(ActionLogEntry.action == "resolve"))
    assert entry.object_id == question.id and entry.after["resolved"] is True


def test_not_resolved_goes_back_to_marketing_and_a_new_answer_is_a_new_relay(org, answered):
    doctor, meeting, question = answered
    assert len(relays(question)) == 1
    followups.complete(org.rep, visit_task(meeting, doctor), outcome="ambiguous",
                       resolutions=[{"question_id": question.id, "resolved": False, "note": "要看国内数据"}])
    db.session.commit()
    question = db.session.get(Question, question.id)
    assert question.status == QuestionStatus.needs_evidence and question.resolved is False
    assert question.evidence_note == "要看国内数据"
    assert [q.id for q in db.session.scalars(questions.visible_questions(
        org.marketing, status=QuestionStatus.needs_evidence))] == [question.id]
    questions.answer(org.marketing, question, answer="附国内多中心研究")
    db.session.commit()
    tasks = relays(question)
    assert len(tasks) == 2 and tasks[1].subject == f"q:{question.id}:2"
    assert tasks[1].status == FollowUpStatus.open and tasks[1].assignee_id == org.rep.id
    # the new relay asks again
    assert followups.questions_to_resolve(tasks[1]) == [question]
    followups.complete(org.rep, tasks[1], outcome="committed",
                       resolutions=[{"question_id": question.id, "resolved": True}])
    db.session.commit()
    assert db.session.get(Question, question.id).resolved is True


def test_a_gift_delivery_never_asks(org, make_doctor, answered):
    doctor, meeting, question = answered
    task = visit_task(meeting, doctor)
    task.kind = FollowUpKind.gift_delivery
    assert followups.questions_to_resolve(task) == []


def test_each_line_the_chief_disputed_is_a_question_for_marketing(org, make_doctor, met):
    doctor = make_doctor(org.hospital, "C")
    meeting = met(doctor)
    save_summary(org.rep, meeting, **filled_summary(
        chief_disputed="价格偏高\n\n  剂量证据不足  \n", questions=[{"text": "能和他汀合用吗？"}]))
    db.session.commit()
    chief = questions_of(meeting, QuestionSource.chief_review)
    assert [q.text for q in chief] == ["价格偏高", "剂量证据不足"]
    assert all(q.status == QuestionStatus.open and q.doctor_id is None for q in chief)
    # a visit's question stays whatever the summary says
    followups.complete(org.rep, visit_task(meeting, doctor), outcome="ambiguous", question="儿童能用吗？")
    db.session.commit()
    save_summary(org.rep, meeting, **filled_summary(
        chief_disputed="价格偏高", questions=[{"text": "能和他汀合用吗？"}]))
    db.session.commit()
    assert [q.text for q in questions_of(meeting, QuestionSource.chief_review)] == ["价格偏高"]
    assert [q.text for q in questions_of(meeting, QuestionSource.summary)] == ["能和他汀合用吗？"]
    assert [q.text for q in questions_of(meeting, QuestionSource.visit)] == ["儿童能用吗？"]


def test_the_followup_api_takes_resolutions(org, answered, api_as):
    doctor, meeting, question = answered
    api = api_as(org.rep)
    task = visit_task(meeting, doctor)
    missing = api.patch(f"/followups/{task.id}", json={"status": "done", "outcome": "committed"})
    assert missing.status_code == 422 and "resolutions" in str(missing.json)
    done = api.patch(f"/followups/{task.id}", json={"status": "done", "outcome": "declined", "resolutions": [
        {"question_id": question.id, "resolved": False, "note": "不信"}]})
    assert done.status_code == 200, done.json
    shown = api_as(org.marketing).get("/questions?status=needs_evidence").json
    assert [(q["id"], q["source"], q["status"]) for q in shown] == [(question.id, "summary", "needs_evidence")]


def test_the_followup_page_asks_per_question(org, answered, login):
    doctor, meeting, question = answered
    task = visit_task(meeting, doctor)
    client = login(org.rep)
    page = client.get(f"/followups/{task.id}").get_data(as_text=True)
    assert f'name="resolved-{question.id}"' in page and "肾功能不全要减量吗" in page
    refused = client.post(f"/followups/{task.id}", data={"status": "done", "outcome": "committed"})
    assert refused.status_code == 422
    done = client.post(f"/followups/{task.id}", data={"status": "done", "outcome": "committed",
                                                     f"resolved-{question.id}": "false",
                                                     f"note-{question.id}": "需要更多证据"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == QuestionStatus.needs_evidence


def test_a_retried_completion_with_the_same_resolutions_is_taken(org, answered, api_as):
    doctor, meeting, question = answered
    api = api_as(org.rep)
    task = visit_task(meeting, doctor)
    body = {"status": "done", "outcome": "committed", "resolutions": [{"question_id": question.id, "resolved": True}]}
    assert api.patch(f"/followups/{task.id}", json=body).status_code == 200
    assert api.patch(f"/followups/{task.id}", json=body).status_code == 200
    flipped = {**body, "resolutions": [{"question_id": question.id, "resolved": False}]}
    assert api.patch(f"/followups/{task.id}", json=flipped).status_code == 422
