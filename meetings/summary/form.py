"""会议总结表 — the printable summary form (SPEC §7, the manual's 附表3): the
meeting header on every page, the attendance figures, the agenda planned vs
actual, the rep's summary texts, the doctors' questions with marketing's
answers, the spend reconciled against the approved budget, and the approval
trail. Free texts are Paragraphs that flow onto further pages."""
from __future__ import annotations

from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from . import services as summaries
from ..pdf.base import (CONTENT_WIDTH, HEAD_BG, approval_trail, build, draw_header, form_fields,
                   header_height, label, label_cell, local_time, money_text, para, rate_text,
                   section_heading, table, text_block, title_label)

TITLE = "会议总结表 Meeting summary（附表3）"
RED = colors.HexColor("#c62828")

TEXT_SECTIONS = (
    ("organization", "会议的组织 How the meeting was organised"),
    ("agenda_notes", "会议议程的控制 Agenda control"),
    ("feedback", "医生的反响 Doctors' reactions"),
    ("chief_endorsed", "科主任点评：认同 Chief's review: endorsed"),
    ("chief_disputed", "科主任点评：质疑 Chief's review: disputed"),
    ("next_steps", "下一步工作方案 Next steps"),
)


def _minutes(seconds: int | None) -> str:
    return "—" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def _signed(value: Decimal) -> str:
    return f"+{value:.2f}" if value > 0 else money_text(value)


def _attendance(figures: dict | None) -> list:
    if not figures:
        return [para("—")]
    heads_1 = ["应到 Expected", "实到 Present", "邀请到会 Invited present", "重点客户 Key present/expected"]
    values_1 = [figures["expected"], figures["present"], figures["attended_invited"],
                f"{figures['key_present']} / {figures['key_expected']}"]
    heads_2 = ["到会率 Attendance rate", "准确率 Accuracy rate", "邀请到会率 Invited rate",
               "重点到会率 Key rate"]
    values_2 = [rate_text(figures[name]) for name in ("attendance_rate", "accuracy_rate",
                                                       "invited_attendance_rate", "key_attendance_rate")]
    rows = [[label_cell(h) for h in heads_1], [para(v, 11) for v in values_1],
            [label_cell(h) for h in heads_2], [para(v, 11) for v in values_2]]
    return [table(rows, [CONTENT_WIDTH / 4] * 4, repeat_rows=0,
                  extra_style=[("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                               ("BACKGROUND", (0, 2), (-1, 2), HEAD_BG)])]


def _agenda(run: dict) -> list:
    head = [label_cell(h) for h in ("#", "环节 Segment", "计划 Planned", "时间 Time",
                                    "实际 Actual", "超时 Overrun")]
    rows, style = [head], []
    for number, timing in enumerate(run["segments"], 1):
        segment = timing.segment
        span = ""
        if segment.started_at:
            span = (f"{local_time(segment.started_at, '%H:%M')}–"
                    f"{local_time(segment.finished_at, '%H:%M') if segment.finished_at else '…'}")
        planned = "—" if segment.planned_minutes is None else f"{segment.planned_minutes}:00"
        rows.append([str(number), para(segment.title, 9), planned, span,
                     _minutes(timing.actual_seconds),
                     f"+{_minutes(timing.overrun_seconds)}" if timing.overrun else ""])
        if timing.overrun:
            style.append(("TEXTCOLOR", (5, number), (5, number), RED))
    overrun = run["overrun_total_seconds"]
    rows.append(["", para("合计 Total", 9), f"{run['planned_total_minutes']}:00", "",
                 _minutes(run["actual_total_seconds"]), f"+{_minutes(overrun)}" if overrun else ""])
    style += [("BACKGROUND", (0, -1), (-1, -1), HEAD_BG), ("ALIGN", (2, 0), (-1, -1), "RIGHT")]
    if overrun:
        style.append(("TEXTCOLOR", (5, -1), (5, -1), RED))
    return [table(rows, [8 * mm, 70 * mm, 22 * mm, 32 * mm, 24 * mm, 24 * mm], extra_style=style)]


def _questions(questions) -> list:
    if not questions:
        return [para("无 None")]
    out = []
    for number, question in enumerate(questions, 1):
        lines = question.text.split("\n")
        out.append(para(f"{number}. {lines[0]}", 10, spaceBefore=2 * mm, spaceAfter=1))
        out += [para(line, 10, leftIndent=5 * mm) for line in lines[1:] if line.strip()]
        asked = ""
        if question.doctor is not None:
            asked = f"提问医生 Asked by: {question.doctor.name}（{title_label(question.doctor.title)}）　"
        out.append(para(f"{asked}状态 Status: {label('question_status', question.status)}", 8.5,
                        leftIndent=5 * mm, textColor=colors.HexColor("#555555")))
        if question.answer:
            by = question.answered_by.display_name if question.answered_by else ""
            out.append(para(f"答复 Answer（{by} {local_time(question.answered_at)}）：", 8.5,
                            leftIndent=5 * mm, spaceBefore=1, textColor=colors.HexColor("#555555")))
            out += text_block(question.answer, leftIndent=5 * mm)
    return out


def _spend(report: dict) -> list:
    head = [label_cell(h) for h in ("类别 Category", "批准 Approved", "实际 Actual",
                                    "差异 Variance", "备注 Note")]
    notes: dict = {}
    for line in report["summary"].spend_lines:
        if line.note:
            notes.setdefault(line.category, []).append(line.note)
    rows, style = [head], []
    for number, row in enumerate(report["by_category"], 1):
        rows.append([para(label("category", row["category"]), 9), money_text(row["approved"]),
                     money_text(row["actual"]), _signed(row["variance"]),
                     para("；".join(notes.get(row["category"], [])), 8.5)])
        if row["variance"] > 0:
            style.append(("TEXTCOLOR", (3, number), (3, number), RED))
    rows.append([para("合计 Total", 9), money_text(report["approved_total"]),
                 money_text(report["actual_total"]), _signed(report["variance"]), ""])
    style += [("BACKGROUND", (0, -1), (-1, -1), HEAD_BG), ("ALIGN", (1, 1), (3, -1), "RIGHT")]
    if report["variance"] > 0:
        style.append(("TEXTCOLOR", (3, -1), (3, -1), RED))
    return [table(rows, [36 * mm, 27 * mm, 27 * mm, 27 * mm, CONTENT_WIDTH - 117 * mm],
                  extra_style=style, split_in_row=True)]


def render(meeting) -> bytes:
    """The summary form of a meeting; NotFound when it has no summary yet."""
    report = summaries.report(meeting)
    summary = report["summary"]
    fields = form_fields(meeting)

    def header(canvas):
        return draw_header(canvas, TITLE, fields)

    story = [*section_heading("一、到会情况 Attendance"), *_attendance(report["attendance"]),
             *section_heading("二、会议议程：计划与实际 Agenda: planned vs actual"),
             *_agenda(report["agenda"]),
             *section_heading("三、会议总结 Summary")]
    for name, title in TEXT_SECTIONS:
        story += [*section_heading(title, 10, room=20 * mm, textColor=colors.HexColor("#1f3b73")),
                  *text_block(getattr(summary, name))]
    story += [*section_heading("四、医生提问 Doctors' questions（市场部答复 answers from marketing）"),
              *_questions(report["questions"]),
              *section_heading("五、费用：实际与批准预算（元）Spend vs approved budget (元)"),
              *_spend(report),
              *approval_trail(meeting, "六、审批记录 Approval trail"),
              Spacer(1, 8 * mm),
              para(f"填表人 Prepared by: {summary.author.display_name if summary.author else ''}　"
                   f"提交 Submitted: {local_time(summary.submitted_at)}　"
                   f"修改 Last changed: {local_time(summary.updated_at)}", 9),
              Spacer(1, 6 * mm),
              para("省区经理审核 Provincial manager: ____________________　"
                   "日期 Date: ______________", 9)]
    return build(story, title=f"{TITLE} — {meeting.topic}", header=header,
                 header_height=header_height(fields))
