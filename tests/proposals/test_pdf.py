"""The printed proposal (科室会申请表, 议程上报) for the approval file."""
from __future__ import annotations

from decimal import Decimal

from meetings.extensions import db
from meetings.invitees import services as invitees
from meetings.pdf.base import MARGIN, PAGE_HEIGHT, form_fields, header_height
from meetings.dossier.proposal_form import render
from meetings.proposals import services as proposals
from tests.pdf_helpers import body_text, keep, text_of


def test_the_proposal_lists_budget_lines_total_invitees_and_the_trail(org, make_meeting, make_doctor):
    meeting = make_meeting("draft", topic="新适应症推广", venue="心内科示教室", needs="希望了解肾功能不全时的剂量",
                           budget={"lines": [{"category": "meals", "amount": Decimal("1500")},
                                             {"category": "gifts", "amount": Decimal("500"), "note": "资料袋"},
                                             {"category": "materials", "amount": Decimal("120.50")}]})
    chief = make_doctor(org.hospital, grade="A", name="张主任")
    deputy = make_doctor(org.hospital, grade="A", name="李副主任", title="associate_chief_physician")
    resident = make_doctor(org.hospital, grade="C", name="王医生", title="attending")
    primary = invitees.add_invitee(org.rep, meeting, doctor_id=chief.id, role="primary")
    invitees.add_invitee(org.rep, meeting, doctor_id=deputy.id, role="backup", backup_for=primary.id)
    invitees.add_invitee(org.rep, meeting, doctor_id=resident.id, role="primary")
    proposals.submit(org.rep, meeting, "请审批")
    proposals.approve(org.pm, meeting, "同意，控制餐费")
    db.session.commit()

    pdf = render(meeting)
    keep(pdf, "proposal.pdf")
    reader, text = text_of(pdf)
    assert f"Page 1 of {len(reader.pages)}" in text
    for expected in ("科室会申请表", org.hospital.name, "新适应症推广", "心内科示教室",
                     "用法用量", "处方医生", "科室内",  # purpose, audience, format
                     org.pm.display_name, org.staff.display_name, "15",
                     "餐费", "1500.00", "礼品", "500.00", "资料袋", "资料", "120.50",
                     "2120.50",  # the total
                     "希望了解肾功能不全时的剂量", "供货渠道通畅", "是 Yes",
                     "张主任", "李副主任", "王医生", "替补 Backup", "A ★",
                     "请审批", "同意，控制餐费", "安排餐饮会引起合规部门关注"):  # the meal warning, in words
        assert expected in text, expected
    assert "否 No" not in text
    flat = "".join(text.split())
    assert "已提交Submitted→已批准Approved" in flat


def test_a_draft_shows_what_is_missing_and_long_needs_flow_on(org, make_meeting):
    needs = "".join(f"第{i}条需求：医生希望获得更多关于老年患者用药安全性的循证资料" for i in range(1, 200))
    meeting = make_meeting("draft", needs=needs, preconditions={
        "supply_channel_open": True, "department_head_agreed": False, "relations_ok": True})
    pdf = render(meeting)
    keep(pdf, "proposal-draft.pdf")
    reader, text = text_of(pdf)
    assert len(reader.pages) >= 2
    assert "否 No" in text and "尚无邀请" in text and "草稿 Draft" in text
    body = body_text(pdf, top=PAGE_HEIGHT - MARGIN - header_height(form_fields(meeting)), bottom=MARGIN)
    assert needs in body


def test_the_whole_topic_prints_and_each_signer_has_a_dated_line(org, make_meeting):
    topic = "老年高血压患者联合用药的剂量调整与肾功能不全时的用药安全性——心内科与肾内科联合病例讨论"[:200]
    meeting = make_meeting("draft", topic=topic)
    pdf = render(meeting)
    keep(pdf, "proposal-long-topic.pdf")
    body = body_text(pdf, top=PAGE_HEIGHT - MARGIN - header_height(form_fields(meeting)), bottom=MARGIN)
    assert topic in body  # the header may cut a long topic; the body prints it whole
    _reader, text = text_of(pdf)
    flat = "".join(text.split())
    for signer in ("申请人Applicant", "省区经理Provincialmanager", "大区经理Regionalmanager"):
        assert f"{signer}：______________________日期Date：____年____月____日" in flat, signer
    assert "meals" not in text and "安排餐饮会引起合规部门关注" in flat  # a warning in words
