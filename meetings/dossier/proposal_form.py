"""科室会申请表 — the printable proposal (SPEC §3, the manual's 议程上报) for
the approval file: the meeting header on every page, what the meeting is
for and who runs it, the budget lines with their total, the preconditions,
the doctors' needs, the planned agenda, the invitee list with the backups,
the sizing and compliance warnings, and the approval trail."""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..agenda import services as agenda
from ..doctors.services import grade_of, is_key
from .warnings import meeting_warnings
from ..pdf.base import (CONTENT_WIDTH, HEAD_BG, approval_trail, build, draw_header, form_fields,
                   header_height, label, label_cell, local_time, mark, money_text, pairs_table,
                   para, section_heading, table, text_block, title_label)

TITLE = "科室会申请表 Meeting proposal（议程上报）"

PRECONDITIONS = (
    ("supply_channel_open", "供货渠道通畅 Supply channel open: the drug can be had in the pharmacy"),
    ("department_head_agreed", "科主任同意 The department head has agreed"),
    ("relations_ok", "客情基础 Working relations with an outpatient and an inpatient doctor at "
                     "associate-chief level or above"),
)


def _proposal(meeting) -> list:
    staff = "、".join(user.display_name for user in meeting.staff) or "—"
    return [para(f"主题 Topic：{meeting.topic}", 10.5, spaceAfter=3),  # whole: the header may cut it
            pairs_table([
        ("目的 Purpose", label("purpose", meeting.purpose)),
        ("对象 Audience", label("audience", meeting.audience)),
        ("形式 Format", label("format", meeting.format)),
        ("地点 Venue", meeting.venue),
        ("时间 Time", local_time(meeting.starts_at)),
        ("预计人数 Expected attendees", str(meeting.expected_attendees)),
        ("讲者 Speaker", meeting.speaker.display_name if meeting.speaker else "—"),
        ("公司人员 Company staff", staff),
        ("申请人 Proposed by", meeting.owner.display_name),
        ("省区 Province", meeting.province.name),
    ])]


def _budget(meeting) -> list:
    head = [label_cell(h) for h in ("类别 Category", "金额（元）Amount", "备注 Note")]
    rows = [head] + [[para(label("category", line.category), 9), money_text(line.amount),
                      para(line.note, 8.5)] for line in meeting.budget_lines]
    rows.append([para("合计 Total", 9), money_text(meeting.budget_total), ""])
    out = [table(rows, [40 * mm, 32 * mm, CONTENT_WIDTH - 72 * mm], split_in_row=True,
                 extra_style=[("BACKGROUND", (0, -1), (-1, -1), HEAD_BG),
                              ("ALIGN", (1, 1), (1, -1), "RIGHT")])]
    limit = meeting.province.approval_limit
    note = f"省区审批额度 Province approval limit: {money_text(limit)} 元"
    if meeting.budget_total > limit:
        note += "（超出额度，需大区经理审批 above the limit: the regional manager approves）"
    if meeting.drawn_amount is not None:
        note += f"　已从预算池划拨 Drawn from the budget pool: {money_text(meeting.drawn_amount)} 元"
    out.append(para(note, 8.5, spaceBefore=1.5 * mm))
    return out


def _preconditions(meeting) -> list:
    rows = [[mark(bool(getattr(meeting, name))), "是 Yes" if getattr(meeting, name) else "否 No",
             para(text, 9)] for name, text in PRECONDITIONS]
    return [table(rows, [9 * mm, 16 * mm, CONTENT_WIDTH - 25 * mm], repeat_rows=0,
                  extra_style=[("ALIGN", (0, 0), (0, -1), "CENTER")])]


def _agenda(meeting) -> list:
    segments = agenda.segments_of(meeting)
    if not segments:
        return [para("—")]
    head = [label_cell(h) for h in ("#", "环节 Segment", "计划（分钟）Planned (min)")]
    rows = [head] + [[str(n), para(s.title, 9), "—" if s.planned_minutes is None else str(s.planned_minutes)]
                     for n, s in enumerate(segments, 1)]
    rows.append(["", para("合计 Total", 9), str(sum(s.planned_minutes or 0 for s in segments))])
    return [table(rows, [8 * mm, 120 * mm, CONTENT_WIDTH - 128 * mm],
                  extra_style=[("BACKGROUND", (0, -1), (-1, -1), HEAD_BG),
                               ("ALIGN", (2, 1), (2, -1), "RIGHT")])]


def _invitees(meeting) -> list:
    invitees = list(meeting.invitees)
    if not invitees:
        return [para("尚无邀请 Nobody is invited yet")]
    head = [label_cell(h) for h in ("#", "姓名 Name", "职称 Title", "分级 Grade", "角色 Role",
                                    "替补对象 Backup for", "状态 Status")]
    rows = [head]
    for number, invitee in enumerate(invitees, 1):
        doctor = invitee.doctor
        role = label("role", invitee.role)
        if invitee.promoted_at is not None:
            role += "（已递补 promoted）"
        backup_for = invitee.backup_for.doctor.name if invitee.backup_for is not None else ""
        rows.append([str(number), para(doctor.name, 9.5), para(title_label(doctor.title), 8.5),
                     grade_of(doctor).value + (" ★" if is_key(doctor) else ""), para(role, 8.5),
                     para(backup_for, 9), para(label("invitee_status", invitee.status), 8.5)])
    return [table(rows, [8 * mm, 30 * mm, 26 * mm, 14 * mm, 34 * mm, 30 * mm, CONTENT_WIDTH - 142 * mm]),
            para("★ 重要客户（A/B级）key customer", 8, spaceBefore=1 * mm)]


def _warnings(meeting) -> list:
    warnings = meeting_warnings(meeting)
    if not warnings:
        return [para("无 None")]
    return [para(f"▲ {w}", 9, leftIndent=4 * mm, firstLineIndent=-4 * mm,
                 textColor=colors.HexColor("#8a4b00")) for w in warnings]  # words, not field keys


def render(meeting) -> bytes:
    fields = form_fields(meeting)

    def header(canvas):
        return draw_header(canvas, TITLE, fields)

    story = [*section_heading("一、会议信息 The meeting"), *_proposal(meeting),
             *section_heading("二、预算 Budget"), *_budget(meeting),
             *section_heading("三、开会前提 Preconditions"), *_preconditions(meeting),
             *section_heading("四、医生需求 Doctors' needs (collected on visits)"),
             *text_block(meeting.needs),
             *section_heading("五、会议议程 Planned agenda"), *_agenda(meeting),
             *section_heading("六、邀请名单 Invitees"), *_invitees(meeting),
             *section_heading("七、提示 Warnings"), *_warnings(meeting),
             *approval_trail(meeting, "八、审批记录 Approval trail"),
             Spacer(1, 10 * mm),
             *[para(f"{who}：______________________　日期 Date：____年____月____日", 9.5, spaceBefore=8)
               for who in ("申请人 Applicant", "省区经理 Provincial manager", "大区经理 Regional manager")]]
    return build(story, title=f"{TITLE} — {meeting.topic}", header=header,
                 header_height=header_height(fields))
