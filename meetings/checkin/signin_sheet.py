"""会议签到表 — the printable sign-in sheet (SPEC §5): the meeting header and
the self sign-in QR code on every page, one row per expected invitee with a
signature box (or the signature captured on the QR page, and the time), then
the other people present and blank rows for walk-ins."""
from __future__ import annotations

import io

from ..links import external_url
from reportlab.lib.units import mm
from reportlab.platypus import Image, Spacer

from . import services as checkin
from ..doctors.services import grade_of, is_key
from ..invitees.services import expected_invitees, load_invitees
from ..pdf.qr import draw_qr
from ..pdf.base import (MARGIN, PAGE_HEIGHT, PAGE_WIDTH, build, draw_header, header_height, heading,
                   local_time, label_cell, meeting_fields, para, table, title_label)
from ..pdf.fonts import font
from ..proposals.models import Status

TITLE = "会议签到表 Sign-in sheet"
QR_SIZE = 30 * mm
ROW_HEIGHT = 11 * mm
COLUMNS = [("#", 8), ("姓名 Name", 33), ("职称 Title", 26), ("分级 Grade", 14),
           ("签名 Signature", 67), ("时间 Time", 18), ("用餐 Meal", 14)]
COL_WIDTHS = [w * mm for _label, w in COLUMNS]
SIGNATURE_BOX = (COL_WIDTHS[4] - 4, ROW_HEIGHT - 4)


def _signature(png: bytes | None):
    """Drawn defensively: a stored signature that no longer decodes (stored
    before signatures were re-encoded on receipt) leaves its box blank
    instead of breaking the sheet for everyone."""
    if not png:
        return ""
    try:
        png = checkin.reencode_signature(png)
        from PIL import Image as PILImage
        with PILImage.open(io.BytesIO(png)) as image:
            w, h = image.size
    except Exception:  # noqa: BLE001 — any decoder error: a blank box
        return ""
    box_w, box_h = SIGNATURE_BOX
    scale = min(box_w / w, box_h / h)
    return Image(io.BytesIO(png), width=w * scale, height=h * scale, mask="auto")


def _row(number, name, title, grade, record) -> list:
    return [
        str(number), para(name, 9.5), para(title, 8.5), grade,
        _signature(record.signature) if record else "",
        local_time(record.checked_in_at, "%H:%M") if record else "",
        ("是 Yes" if record.meal_opt_in else "") if record else "",
    ]


SHEET_CLOSED = (Status.held, Status.summarized, Status.closed, Status.cancelled, Status.rejected)


def walk_in_rows(expected: int) -> int:
    return max(8, min(40, expected // 4))


def render(meeting) -> bytes:
    url = external_url("checkin.self_checkin", token=meeting.checkin_token)
    load_invitees(meeting)
    fields = meeting_fields(meeting)
    all_records = checkin.list_checkins(meeting)
    records = {c.doctor_id: c for c in all_records if c.doctor_id is not None}
    # Once the meeting is over the sheet is the audit record: the count is
    # filled in and no QR code invites anyone to sign in any more.
    over = meeting.status in SHEET_CLOSED
    present = checkin.attendance(meeting)["present"] if over else None

    def header(canvas):
        height = draw_header(canvas, TITLE, fields, right_reserve=QR_SIZE + 4 * mm)
        if over:
            return height
        # The QR code is drawn once per document, as a form XObject that
        # every page places.
        if not canvas.hasForm("qr"):
            canvas.beginForm("qr", 0, 0, QR_SIZE, QR_SIZE)
            draw_qr(canvas, url, 0, 0, QR_SIZE)
            canvas.endForm()
        canvas.saveState()
        canvas.translate(PAGE_WIDTH - MARGIN - QR_SIZE, PAGE_HEIGHT - MARGIN - QR_SIZE - 1 * mm)
        canvas.doForm("qr")
        canvas.restoreState()
        canvas.setFont(font(), 6.5)
        canvas.drawCentredString(PAGE_WIDTH - MARGIN - QR_SIZE / 2, PAGE_HEIGHT - MARGIN - QR_SIZE - 4 * mm,
                                 "扫码签到 Scan to sign in")
        return height

    head = [label_cell(label) for label, _w in COLUMNS]
    expected = sorted(expected_invitees(meeting),
                      key=lambda i: (not is_key(i.doctor), i.doctor.name))
    rows = [head]
    for number, invitee in enumerate(expected, 1):
        doctor = invitee.doctor
        grade = grade_of(doctor).value + (" ★" if is_key(doctor) else "")
        rows.append(_row(number, doctor.name, title_label(doctor.title), grade, records.get(doctor.id)))
    expected_doctors = {i.doctor_id for i in expected}
    others = [c for c in all_records if c.doctor_id is None or c.doctor_id not in expected_doctors]
    walk_ins = [head]
    for number, record in enumerate(others, 1):
        walk_ins.append(_row(number, record.name, title_label(record.title),
                             "" if record.invitee_id is None else "邀请 invited", record))
    for number in range(len(others) + 1, len(others) + walk_in_rows(len(expected)) + 1):
        walk_ins.append([str(number), "", "", "", "", "", ""])

    story = [
        heading(f"应到 Expected: {len(expected)}    实到 Present: "
                f"{present if present is not None else '________'}    （★ 重要客户 key customer）", 9),
        table(rows, COL_WIDTHS, row_height=ROW_HEIGHT),
        heading("其他到会人员 Walk-ins and others present"),
        table(walk_ins, COL_WIDTHS, row_height=ROW_HEIGHT),
        Spacer(1, 8 * mm),
        para("以上签到真实有效 We certify that the sign-ins above are true.", 9),
        Spacer(1, 4 * mm),
        para("代表 Rep: ______________　　会务 Staff: ______________　　日期 Date: ____________", 9),
    ]
    return build(story, title=f"{TITLE} — {meeting.topic}", header=header,
                 header_height=max(header_height(fields), QR_SIZE + 6 * mm))
