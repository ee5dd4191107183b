"""会议签到表 — the printable sign-in sheet (SPEC §5): the meeting header and
the self sign-in QR code on every page, one row per expected invitee with a
signature box (or the signature captured on the QR page, and the time), the
backups standing by on rows of their own, then the other people present and
blank rows for walk-ins.

Rows of one height are drawn straight on the canvas (pdf.ruled) and the
stored signature PNGs are copied into the PDF without being decoded
(pdf.png): the sheet renders within three times what bare ReportLab takes
for the same rows (benchmarks/signin_sheet_pdf.py)."""
from __future__ import annotations

from functools import partial

from reportlab.lib.units import mm

from ..doctors.services import grade_of, is_key
from ..links import external_url
from ..pdf.base import (MARGIN, PAGE_HEIGHT, PAGE_WIDTH, draw_header, header_height,
                        local_time, meeting_fields, title_label)
from ..pdf.fonts import font
from ..pdf.png import draw_png
from ..pdf.qr import draw_qr
from ..pdf.ruled import Column, Note, RuledPages
from ..proposals.models import Status
from . import services as checkin

TITLE = "会议签到表 Sign-in sheet"
QR_SIZE = 30 * mm
ROW_HEIGHT = 11 * mm
COLUMNS = [Column("#", 8 * mm), Column("姓名 Name", 33 * mm, 9.5), Column("职称 Title", 26 * mm, 8.5),
           Column("分级 Grade", 14 * mm), Column("签名 Signature", 67 * mm), Column("时间 Time", 18 * mm),
           Column("用餐 Meal", 14 * mm)]
COL_WIDTHS = [c.width for c in COLUMNS]
# the header's rule runs below the QR code and its caption, never against the code
HEADER_MIN = QR_SIZE + 7 * mm
SIGNATURE_BOX = (COL_WIDTHS[4] - 4, ROW_HEIGHT - 4)
CERTIFICATION = 8 * mm + 9 * 1.3 + 4 * mm + 9 * 1.3  # the height of its two lines
SHEET_CLOSED = (Status.held, Status.summarized, Status.closed, Status.cancelled, Status.rejected)


def walk_in_rows(expected: int) -> int:
    return max(8, min(40, expected // 4))


def _signature(png: bytes, canvas, x, y, width, height) -> None:
    """Drawn defensively: a stored signature that does not read as a PNG
    (stored before signatures were re-encoded on receipt) leaves its box
    blank instead of breaking the sheet for everyone."""
    draw_png(canvas, png, x + 2, y + 2, *SIGNATURE_BOX)


def _signed(record) -> list:
    """The signature, time and meal cells of someone who signed in."""
    if record is None:
        return ["", "", ""]
    return [partial(_signature, record.signature) if record.signature else "",
            local_time(record.checked_in_at, "%H:%M"), "是 Yes" if record.meal_opt_in else ""]


def _grade(doctor) -> str:
    return grade_of(doctor).value + (" ★" if is_key(doctor) else "")


def _qr_header(url: str, fields, over: bool):
    def header(canvas):
        if over:  # once the meeting is over no QR code invites anyone to sign in any more
            draw_header(canvas, TITLE, fields)
            return
        draw_header(canvas, TITLE, fields, right_reserve=QR_SIZE + 4 * mm, min_height=HEADER_MIN)
        # drawn once per document: the header is a form XObject every page places (pdf.ruled)
        draw_qr(canvas, url, PAGE_WIDTH - MARGIN - QR_SIZE, PAGE_HEIGHT - MARGIN - QR_SIZE - 1 * mm, QR_SIZE)
        canvas.setFont(font(), 6.5)
        canvas.drawCentredString(PAGE_WIDTH - MARGIN - QR_SIZE / 2, PAGE_HEIGHT - MARGIN - QR_SIZE - 4 * mm,
                                 "扫码签到 Scan to sign in")
    return header


def _memo(function):
    """`function` remembered per argument for one sheet: a title's words go
    through the locale machinery, the same few titles on every row."""
    seen: dict = {}

    def remembered(value):
        if value not in seen:
            seen[value] = function(value)
        return seen[value]
    return remembered


def render(meeting) -> bytes:
    fields = meeting_fields(meeting, wide_topic=True)
    rows = checkin.sheet_rows(meeting)
    # Once the meeting is over the sheet is the audit record: the count is
    # filled in and no QR code invites anyone to sign in any more.
    over = meeting.status in SHEET_CLOSED
    present = checkin.attendance(meeting)["present"] if over else None
    url = external_url("checkin.self_checkin", token=meeting.checkin_token)
    title_of = _memo(title_label)
    pages = RuledPages(title=f"{TITLE} — {meeting.topic}", header=_qr_header(url, fields, over),
                       header_height=header_height(fields, 0 if over else HEADER_MIN,
                                                   right_reserve=0 if over else QR_SIZE + 4 * mm))

    backups = f"    替补 Backups: {len(rows.backups)}" if rows.backups else ""
    pages.text(f"应到 Expected: {len(rows.expected)}    实到 Present: "
               f"{present if present is not None else '________'}{backups}    （★ 重要客户 key customer）",
               9, before=4 * mm, after=2 * mm)
    pages.table(COLUMNS, ROW_HEIGHT)
    for number, invitee in enumerate(rows.expected, 1):
        doctor = invitee.doctor
        pages.row([str(number), doctor.name, title_of(doctor.title), _grade(doctor),
                   *_signed(rows.signed.get(doctor.id))])

    if rows.backups:
        pages.table(COLUMNS, ROW_HEIGHT, title="替补 Backups（不计入应到 not counted in Expected）")
        for number, backup in enumerate(rows.backups, 1):
            doctor, primary = backup.doctor, rows.primary_of(backup)
            note = f"替补 Backup for {primary.doctor.name}" if primary is not None else "替补 Backup"
            pages.row([str(number), Note(doctor.name, note), title_of(doctor.title), _grade(doctor),
                       *_signed(rows.signed.get(doctor.id))])

    pages.table(COLUMNS, ROW_HEIGHT, title="其他到会人员 Walk-ins and others present")
    # Blank rows invite walk-ins to sign on paper; once the meeting is over
    # the sheet is a record, and a blank row could be filled in afterwards.
    cells = [[str(number), record.name, title_of(record.title),
              "" if record.invitee_id is None else "邀请 invited", *_signed(record)]
             for number, record in enumerate(rows.others, 1)]
    blank = 0 if over else walk_in_rows(len(rows.expected))
    cells += [[str(number)] for number in range(len(cells) + 1, len(cells) + blank + 1)]
    for i, row in enumerate(cells, 1):
        # the certification speaks of "the sign-ins above": never alone on a page
        pages.row(row, keep=CERTIFICATION if i == len(cells) else 0)

    pages.end_table()
    pages.text("以上签到真实有效 We certify that the sign-ins above are true.", 9, before=8 * mm)
    pages.text("代表 Rep: ______________　　会务 Staff: ______________　　日期 Date: ____________", 9,
               before=4 * mm)
    return pages.finish()
