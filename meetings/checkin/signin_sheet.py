"""会议签到表 — the printable sign-in sheet (SPEC §5): the meeting header and
the self sign-in QR code on every page, one row per expected invitee with a
signature box (or the signature captured on the QR page, and the time), then
the other people present and blank rows for walk-ins."""
from __future__ import annotations

import io

from flask import url_for
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Image

from . import services as checkin
from ..doctors.services import grade_of, is_key
from ..pdf.base import (FONT, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, build, draw_header, header_height, heading,
                   local_time, label_cell, meeting_fields, para, table, title_label)

TITLE = "会议签到表 Sign-in sheet"
QR_SIZE = 30 * mm
ROW_HEIGHT = 11 * mm
COLUMNS = [("#", 8), ("姓名 Name", 33), ("职称 Title", 26), ("分级 Grade", 14),
           ("签名 Signature", 67), ("时间 Time", 18), ("用餐 Meal", 14)]
COL_WIDTHS = [w * mm for _label, w in COLUMNS]
SIGNATURE_BOX = (COL_WIDTHS[4] - 4, ROW_HEIGHT - 4)


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE,
                      transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _signature(png: bytes | None):
    if not png:
        return ""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as image:
        w, h = image.size
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


def walk_in_rows(expected: int) -> int:
    return max(8, min(40, expected // 4))


def render(meeting) -> bytes:
    url = url_for("checkin.self_checkin", token=meeting.checkin_token, _external=True)
    qr = _qr(url)
    fields = meeting_fields(meeting)
    all_records = checkin.list_checkins(meeting)
    records = {c.doctor_id: c for c in all_records if c.doctor_id is not None}

    def header(canvas):
        height = draw_header(canvas, TITLE, fields, right_reserve=QR_SIZE + 4 * mm)
        # The QR code is a few hundred vector shapes: draw it once as a form
        # XObject and place that on every page (half the render time otherwise).
        if not canvas.hasForm("qr"):
            canvas.beginForm("qr", 0, 0, QR_SIZE, QR_SIZE)
            renderPDF.draw(qr, canvas, 0, 0)
            canvas.endForm()
        canvas.saveState()
        canvas.translate(PAGE_WIDTH - MARGIN - QR_SIZE, PAGE_HEIGHT - MARGIN - QR_SIZE - 1 * mm)
        canvas.doForm("qr")
        canvas.restoreState()
        canvas.setFont(FONT, 6.5)
        canvas.drawCentredString(PAGE_WIDTH - MARGIN - QR_SIZE / 2, PAGE_HEIGHT - MARGIN - QR_SIZE - 4 * mm,
                                 "扫码签到 Scan to sign in")
        return height

    head = [label_cell(label) for label, _w in COLUMNS]
    expected = sorted(checkin.expected_invitees(meeting),
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
        heading(f"应到 Expected: {len(expected)}    实到 Present: ________    "
                f"（★ 重要客户 key customer）", 9),
        table(rows, COL_WIDTHS, row_height=ROW_HEIGHT),
        heading("其他到会人员 Walk-ins and others present"),
        table(walk_ins, COL_WIDTHS, row_height=ROW_HEIGHT),
    ]
    return build(story, title=f"{TITLE} — {meeting.topic}", header=header,
                 header_height=max(header_height(fields), QR_SIZE + 6 * mm))
