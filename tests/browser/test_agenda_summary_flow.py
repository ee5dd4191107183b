"""The day and what follows it (SPEC §6, §7) in a real browser: staff run the
run-of-show page through every segment and finish the meeting, the owner
writes the summary with a doctor's question, marketing answers it from the
inbox, and the answer comes back to the rep as a follow-up task."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from meetings.agenda.models import AgendaSegment
from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from meetings.proposals.models import Meeting, Status
from meetings.questions.models import Question, QuestionSource, QuestionStatus

pytestmark = pytest.mark.browser

QUESTION = "肾功能不全的老年患者是否需要减量？"
ANSWER = "按肌酐清除率调整剂量，详见说明书第4.2节"


def test_staff_run_the_show_the_owner_summarizes_and_marketing_answers(
        org, make_meeting, make_doctor, live_server, new_page, log_in):
    from playwright.sync_api import expect

    meeting = make_meeting("in_progress", topic="老年患者用药", diners=6)  # 1600 of meals ÷ 6 who ate
    doctor = make_doctor(org.hospital, grade="A", name="张主任")
    meeting_id, doctor_id = meeting.id, doctor.id
    base = f"{live_server.url}/meetings/{meeting_id}"
    db.session.commit()

    # -- staff run every segment from the run-of-show page
    staff = new_page()
    log_in(staff, org.staff)
    staff.goto(f"{base}/run")
    items = staff.locator("ol.list-group > li")
    expect(items).to_have_count(5)
    for index in range(5):
        item = items.nth(index)
        item.get_by_role("button", name="Start segment").click()
        staff.wait_for_load_state()
        expect(items.nth(index)).to_have_class(re.compile("list-group-item-primary"))  # running
        expect(staff.locator("#run-clock #elapsed")).to_be_visible()  # the running clock
        items.nth(index).get_by_role("button", name="Finish segment").click()
        staff.wait_for_load_state()
        expect(items.nth(index).locator(".badge", has_text="done")).to_have_count(1)
    expect(staff.locator("ol.list-group .badge", has_text="done")).to_have_count(5)
    expect(staff.locator("#run-clock")).to_contain_text("No segment running")
    # the meeting is finished from its page
    staff.goto(base)
    staff.get_by_role("button", name="Finish the meeting").click()  # not yet: asks to confirm
    expect(staff.locator("[role=alert].alert-warning")).to_contain_text("the meeting is over")
    expect(staff.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "in_progress")
    staff.check("#confirm-finish")
    staff.get_by_role("button", name="Finish the meeting").click()
    expect(staff.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "held")

    # -- the owner writes the summary through the form
    rep = new_page(phone=True)
    log_in(rep, org.rep)
    rep.goto(f"{base}/summary")
    rep.wait_for_url(re.compile(r"/summary/edit$"))  # no summary yet: the owner is sent to the form
    rep.fill("#organization", "提前一小时到场，会场布置顺利")
    rep.fill("#agenda_notes", "各环节按计划完成")
    rep.fill("#feedback", "主任认可疗效")
    rep.fill("#chief_endorsed", "起效快")
    rep.fill("#chief_disputed", "价格偏高")
    rep.fill("#next_steps", "一周内回访全部参会医生")
    rep.fill("[name=questions-0-text]", QUESTION)
    rep.select_option("[name=questions-0-doctor_id]", str(doctor_id))
    # the spend lines start from the approved budget (meals 1500, gifts 500)
    expect(rep.locator("[name=actual_spend-0-amount]")).to_have_value("1500.00")
    rep.fill("[name=actual_spend-0-amount]", "1600")
    rep.fill("#overspend_reason", "到会医生多于预期")  # above the approved 2000: a reason is needed
    # a third question row, added on the phone by the form's own button (static/rows.js)
    rep.get_by_role("button", name="Add a question").click()
    expect(rep.locator("[name=questions-2-text]")).to_be_visible()
    rep.get_by_role("button", name="Save summary").click()
    rep.wait_for_url(re.compile(rf"/meetings/{meeting_id}/summary$"))
    spend = rep.locator("#spend-vs-budget tfoot")
    expect(spend).to_contain_text("¥2,000")  # approved
    expect(spend).to_contain_text("¥2,100")  # actual
    expect(spend.locator("td").nth(3)).to_have_text("¥100")  # variance
    expect(spend.locator(".text-danger")).to_have_count(1)  # over budget shows red
    agenda_rows = rep.locator("#agenda-vs-actual tbody tr")
    expect(agenda_rows).to_have_count(5)
    for index in range(4):  # the timed segments have an actual time from the record
        expect(agenda_rows.nth(index).locator("td").nth(2)).to_have_text(re.compile(r"^\d+:\d\d$"))
    question_item = rep.locator(".list-group-item", has_text=QUESTION)
    expect(question_item).to_contain_text("张主任")
    expect(question_item.locator(".badge")).to_have_text("Awaiting an answer")
    pdf = rep.request.get(live_server.url + rep.locator("#summary-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # -- marketing answers from the inbox
    marketing = new_page()
    log_in(marketing, org.marketing)
    marketing.get_by_role("link", name="Questions").first.click()
    marketing.wait_for_url(re.compile(r"/questions"))
    marketing.get_by_role("link", name=re.compile(re.escape(QUESTION))).click()
    marketing.wait_for_url(re.compile(r"/questions/\d+$"))
    expect(marketing.locator("blockquote")).to_have_text(QUESTION)
    marketing.fill("#answer", ANSWER)
    marketing.get_by_role("button", name="Send answer").click()
    marketing.wait_for_url(re.compile(r"/questions(\?.*)?$"))
    expect(marketing.locator(".alert-success")).to_contain_text("follow-up")
    expect(marketing.get_by_role("link", name=re.compile(re.escape(QUESTION)))).to_have_count(0)  # not open
    marketing.get_by_role("link", name="Answered").click()
    answered = marketing.locator(".list-group-item", has_text=QUESTION)
    expect(answered.locator(".badge")).to_have_text("Answered")

    # -- the rep sees the answer on the summary
    rep.reload()
    question_item = rep.locator(".list-group-item", has_text=QUESTION)
    expect(question_item.locator(".badge")).to_have_text("Answered")
    expect(question_item).to_contain_text(ANSWER)

    # what the database holds
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting.status == Status.summarized
    segments = db.session.scalars(select(AgendaSegment).where(AgendaSegment.meeting_id == meeting_id)).all()
    assert len(segments) == 5 and all(s.started_at and s.finished_at for s in segments)
    # the rep's question (the chief's disputed point is a question of its own, SPEC §15)
    question = db.session.scalars(select(Question).where(Question.meeting_id == meeting_id,
                                                         Question.source == QuestionSource.summary)).one()
    assert question.status == QuestionStatus.answered and question.answer == ANSWER
    assert question.answered_by_id == org.marketing.id
    relay = db.session.scalars(select(FollowUp).where(FollowUp.question_id == question.id)).one()
    assert (relay.kind, relay.status, relay.assignee_id, relay.doctor_id) == \
        (FollowUpKind.answer_relay, FollowUpStatus.open, org.rep.id, doctor_id)
    db.session.commit()
