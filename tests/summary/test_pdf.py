"""The printed summary form (会议总结表, 附表3), read back with pypdf."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from meetings.agenda import services as agenda
from meetings.checkin import services as checkin
from meetings.errors import NotFound
from meetings.extensions import db
from meetings.invitees import services as invitees
from meetings.pdf.base import MARGIN, PAGE_HEIGHT, form_fields, header_height
from meetings.summary.form import render
from meetings.proposals import services as proposals
from meetings.questions import services as questions
from meetings.summary import services
from meetings.types import utcnow
from tests.pdf_helpers import body_text, keep, text_of

APPROVE_COMMENT = "同意，注意控制餐费"


@pytest.fixture
def summarized(org, make_meeting, make_doctor):
    """summarized(**summary texts) → a meeting of org.rep that was held with
    two invited doctors (one came) and a walk-in, timed segment by segment
    (the video and the chief's review ran over), and summarized with two
    questions, the first answered by marketing."""
    def make(**texts):
        meeting = make_meeting("draft", topic="老年患者用药")
        came = make_doctor(org.hospital, grade="C", title="attending", name="王医生")
        stayed_away = make_doctor(org.hospital, grade="D", title="resident", name="赵医生")
        for doctor in (came, stayed_away):
            invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
        proposals.submit(org.rep, meeting)
        proposals.approve(org.pm, meeting, APPROVE_COMMENT)
        meeting.starts_at = utcnow() + timedelta(minutes=30)
        proposals.start(org.rep, meeting)
        checkin.check_in(org.staff, meeting, doctor_id=came.id, meal_opt_in=True)
        checkin.check_in(org.staff, meeting, name="进修医生", title="other")
        begin = utcnow() - timedelta(minutes=40)
        for segment, (start, end) in zip(agenda.agenda(meeting), [(0, 6), (6, 20), (20, 25), (25, 31)]):
            segment.started_at = begin + timedelta(minutes=start)
            segment.finished_at = begin + timedelta(minutes=end)
        proposals.finish(org.rep, meeting)
        body = dict(organization="提前一小时到场，会场布置顺利", agenda_notes="视频超时一分钟",
                    feedback="主任认可疗效", chief_endorsed="起效快", chief_disputed="价格偏高",
                    next_steps="一周内回访全部参会医生", overspend_reason="主任临时多带两位医生")
        body.update(texts)
        services.save_summary(
            org.rep, meeting, **body,
            questions=[{"text": "肾功能不全的老年患者是否需要减量？", "doctor_id": came.id},
                       {"text": "与华法林合用是否有相互作用？"}],
            actual_spend=[{"category": "meals", "amount": Decimal("280")},  # one doctor ate (SPEC §12)
                          {"category": "gifts", "amount": Decimal("650.5"), "note": "资料袋"}])
        first = services.questions_of(meeting)[0]
        questions.answer(org.marketing, first, answer="建议按肌酐清除率调整剂量")
        db.session.commit()
        return meeting
    return make


def test_the_form_carries_the_figures_the_texts_the_questions_and_the_trail(org, summarized):
    meeting = summarized()
    pdf = render(meeting)
    keep(pdf, "summary.pdf")
    assert pdf.startswith(b"%PDF")
    reader, text = text_of(pdf)
    assert len(reader.pages) >= 1 and f"Page 1 of {len(reader.pages)}" in text
    # header
    for expected in ("会议总结表", org.hospital.name, "老年患者用药", org.rep.display_name):
        assert expected in text, expected
    # attendance: 2 expected, 2 present (one walk-in), 1 invited present → 100 %, 50 %, 50 %
    flat = " ".join(text.split())
    assert "应到" in text and "实到" in text
    assert "100%" in text and "50%" in text
    # agenda planned vs actual: video 5 planned, 6:00 actual, +1:00 over
    assert "6:00" in text and "+1:00" in text and "+2:00" in flat  # total overrun
    # the summary texts
    for expected in ("提前一小时到场，会场布置顺利", "视频超时一分钟", "主任认可疗效", "起效快",
                     "价格偏高", "一周内回访全部参会医生"):
        assert expected in text, expected
    # every question, the doctor who asked, the answer
    for expected in ("肾功能不全的老年患者是否需要减量？", "与华法林合用是否有相互作用？", "王医生",
                     "建议按肌酐清除率调整剂量", "已答复", "待答复"):
        assert expected in text, expected
    # spend vs approved: 1500 + 500 approved, 280 + 650.50 spent
    for expected in ("2000.00", "930.50", "-1069.50", "-1220.00", "+150.50", "资料袋"):
        assert expected in text, expected
    assert "超支原因" in text and "主任临时多带两位医生" in text  # the overspend's reason (SPEC §3)
    # approval trail: who and the comment
    assert APPROVE_COMMENT in text and org.pm.display_name in text
    assert "已提交 Submitted → 已批准 Approved".replace(" ", "") in "".join(text.split())


def test_long_texts_flow_onto_further_pages_and_nothing_is_cut(org, summarized):
    sentences = [f"第{i}句医生反馈说明该药物在老年患者中耐受性良好且依从性较高" for i in range(1, 180)]
    feedback = "".join(sentences)
    assert len(feedback) >= 5000
    next_steps = "\n".join(f"第{i}步回访计划" for i in range(1, 40))
    meeting = summarized(feedback=feedback, next_steps=next_steps)
    pdf = render(meeting)
    keep(pdf, "summary-long.pdf")
    reader, text = text_of(pdf)
    pages = len(reader.pages)
    assert pages >= 3
    for index, page in enumerate(reader.pages, 1):
        page_text = page.extract_text()
        assert f"Page {index} of {pages}" in page_text and "老年患者用药" in page_text
    top = PAGE_HEIGHT - MARGIN - header_height(form_fields(meeting))
    body = body_text(pdf, top=top, bottom=MARGIN)
    assert feedback in body
    assert "".join(next_steps.split()) in body
    assert "建议按肌酐清除率调整剂量" in body and APPROVE_COMMENT in body


def test_a_meeting_without_a_summary_has_no_form(make_meeting):
    with pytest.raises(NotFound):
        render(make_meeting("held"))


def test_characters_the_font_lacks_print_as_look_alikes(org, summarized):
    meeting = summarized(feedback="阿依古丽·买买提主任：✓ 认可")
    _reader, text = text_of(render(meeting))
    assert "阿依古丽・买买提主任：√ 认可" in text
