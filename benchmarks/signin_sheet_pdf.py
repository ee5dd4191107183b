"""How long the printable sign-in sheet (SPEC §5) takes to render, through the
real code path (meetings/checkin/signin_sheet.render inside an app and request
context, on a temp SQLite database), against raw ReportLab drawing the same
rows (a canvas loop: the same CID font, row height, columns, header text and
blank walk-in rows, no platypus, no QR code, "Page n" without "of y").

Meetings of 60 and 200 invitees (a sixth of them key primaries with a
backup, so 50 and 167 expected rows, and 10 and 33 rows of backups standing
by), each rendered

  blank   before the meeting: empty signature boxes
  signed  after it: every expected invitee signed in on the QR page with a
          600×200 signature PNG (raw: the same PNGs through drawImage)

Prints the median of --runs timed renders (after one untimed warm-up), in ms,
with the pages and bytes of the output. Asserts nothing.

    python benchmarks/signin_sheet_pdf.py [--runs 7] [--sizes 60 200] [--cpu]
"""
from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.table import row  # noqa: E402
from benchmarks.seed import (bench_app, make_doctors, make_meeting, make_org,  # noqa: E402
                             reset_schema, signature_data_url)


# ---------------------------------------------------------------- raw ReportLab

def raw_sheet(title: str, fields: list[tuple[str, str]], rows: list[tuple], blank_rows: int) -> bytes:
    """The same table as the real sheet, drawn with a bare canvas loop.
    rows: (name, title, grade, signature PNG or None, time, meal)."""
    from reportlab.lib import colors
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as rl_canvas

    from meetings.pdf.base import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, register_fonts
    from meetings.checkin.signin_sheet import COL_WIDTHS, COLUMNS, QR_SIZE, ROW_HEIGHT, SIGNATURE_BOX

    FONT = register_fonts()
    buffer = io.BytesIO()
    c = rl_canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    top, bottom = PAGE_HEIGHT - MARGIN - QR_SIZE - 6 * 2.834645669, MARGIN
    head_height = 2 * 8 * 1.25 + 6
    xs = [MARGIN]
    for width in COL_WIDTHS:
        xs.append(xs[-1] + width)
    page = [0]

    def new_page():
        page[0] += 1
        c.setFont(FONT, 15)
        c.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 15, title)
        for index, (label, value) in enumerate(fields):
            column, line = divmod(index, 3)
            x, y = MARGIN + column * 70 * 2.834645669, PAGE_HEIGHT - MARGIN - 40 - line * 15.6
            c.setFont(FONT, 7.5)
            c.drawString(x, y, label)
            c.setFont(FONT, 10)
            c.drawString(x + 26 * 2.834645669, y, value)
        c.setFont(FONT, 8)
        c.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"第 {page[0]} 页 · Page {page[0]}")
        return table_head(top)

    def table_head(y):
        c.setFillColor(colors.HexColor("#e8eef7"))
        c.rect(xs[0], y - head_height, xs[-1] - xs[0], head_height, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont(FONT, 8)
        for x, column in zip(xs, COLUMNS):
            chinese, _sep, english = column.label.partition(" ")
            c.drawString(x + 3, y - 10, chinese)
            if english:
                c.drawString(x + 3, y - 20, english)
        grid(y, head_height)
        return y - head_height

    def grid(y, height):
        c.setStrokeColor(colors.HexColor("#888888"))
        c.setLineWidth(0.5)
        c.rect(xs[0], y - height, xs[-1] - xs[0], height)
        for x in xs[1:-1]:
            c.line(x, y, x, y - height)

    y = new_page()
    for number, (name, title_, grade, png, when, meal) in enumerate(
            list(rows) + [("", "", "", None, "", "")] * blank_rows, 1):
        if y - ROW_HEIGHT < bottom:
            c.showPage()
            y = new_page()
        c.setFont(FONT, 9.5)
        middle = y - ROW_HEIGHT / 2 - 3
        for x, text in zip(xs, (str(number), name, title_, grade)):
            c.drawString(x + 3, middle, text)
        if png:
            c.drawImage(ImageReader(io.BytesIO(png)), xs[4] + 2, y - ROW_HEIGHT + 2,
                        width=SIGNATURE_BOX[0], height=SIGNATURE_BOX[1], mask="auto",
                        preserveAspectRatio=True)
        c.drawString(xs[5] + 3, middle, when)
        c.drawString(xs[6] + 3, middle, meal)
        grid(y, ROW_HEIGHT)
        y -= ROW_HEIGHT
    c.showPage()
    c.save()
    return buffer.getvalue()


def raw_inputs(meeting, signed: bool) -> tuple:
    """What the raw loop draws, read once from the database (untimed)."""
    from meetings.checkin import services as checkin
    from meetings.doctors.services import grade_of, is_key
    from meetings.pdf.base import local_time, meeting_fields, title_label
    from meetings.checkin.signin_sheet import TITLE, walk_in_rows

    sheet = checkin.sheet_rows(meeting)
    rows = []
    for invitee in sheet.expected + sheet.backups:  # the backups standing by have rows too
        doctor, record = invitee.doctor, sheet.signed.get(invitee.doctor_id)
        rows.append((doctor.name, title_label(doctor.title),
                     grade_of(doctor).value + (" ★" if is_key(doctor) else ""),
                     record.signature if (record and signed) else None,
                     local_time(record.checked_in_at, "%H:%M") if record else "",
                     "是 Yes" if record and record.meal_opt_in else ""))
    fields = [(f.label, f.value) for f in meeting_fields(meeting)]
    return TITLE, fields, rows, walk_in_rows(len(sheet.expected))


# ---------------------------------------------------------------- timing

def timed(fn, runs: int, setup=lambda: None, clock=time.perf_counter) -> tuple[float, bytes]:
    setup()
    fn()  # warm-up: fonts, caches
    times, out = [], b""
    for _ in range(runs):
        setup()
        gc.collect()
        t0 = clock()
        out = fn()
        times.append((clock() - t0) * 1000)
    return statistics.median(times), out


def pages_of(pdf: bytes) -> int:
    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 200])
    parser.add_argument("--cpu", action="store_true",
                        help="time the process's CPU, not the wall clock: steadier on a machine others load")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter

    from meetings.checkin import services as checkin
    from meetings.extensions import db
    from meetings.checkin.signin_sheet import render
    from meetings.invitees.services import expected_invitees
    from meetings.proposals.models import Meeting

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average {load}; median of {args.runs} runs after a warm-up"
          f"{', CPU time' if args.cpu else ''}")
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        app = bench_app(f"sqlite:///{Path(tmp) / 'pdf.sqlite'}")
        with app.app_context(), app.test_request_context("/", base_url="https://meetings.example.com"):
            reset_schema()
            org = make_org()
            cases = []
            for size in args.sizes:
                doctors = make_doctors(org, size)
                blank = make_meeting(org, doctors, topic=f"签到表 {size} 人（空白）")
                signed = make_meeting(org, doctors, topic=f"签到表 {size} 人（已签）")
                for number, invitee in enumerate(expected_invitees(signed)):
                    checkin.self_check_in(signed.checkin_token, doctor_id=invitee.doctor_id,
                                          meal_opt_in=number % 2 == 0,
                                          signature=signature_data_url(number))
                db.session.commit()
                cases += [(size, "blank", blank), (size, "signed", signed)]

            print(f"\n{'invitees':>8} {'rows':>5} {'sheet':<7} {'path':<16}{'ms':>9}{'pages':>7}{'bytes':>10}")
            cases = [(size, kind, meeting.id) for size, kind, meeting in cases]
            db.session.remove()
            for size, kind, meeting_id in cases:
                meeting = db.session.get(Meeting, meeting_id)
                title, fields, rows, blank_rows = raw_inputs(meeting, kind == "signed")
                meeting_id = meeting.id
                # as in a request: a fresh session, the meeting and its rows read from the database
                real_ms, real_pdf = timed(lambda meeting_id=meeting_id: render(db.session.get(Meeting, meeting_id)),
                                          args.runs,
                                          setup=db.session.remove, clock=clock)
                raw_ms, raw_pdf = timed(lambda inputs=(title, fields, rows, blank_rows): raw_sheet(*inputs),
                                        args.runs, clock=clock)
                for path, ms, pdf in (("meetings/pdf", real_ms, real_pdf), ("raw canvas", raw_ms, raw_pdf)):
                    print(f"{size:>8} {len(rows):>5} {kind:<7} {path:<16}{ms:>9.1f}{pages_of(pdf):>7}"
                          f"{len(pdf):>10,}")
                print(f"{'':>8} {'':>5} {'':<7} {'ratio':<16}{real_ms / raw_ms:>8.1f}×")
                row(f"sign-in sheet PDF, {size} invitees ({len(rows)} rows, {kind}) vs raw ReportLab (ms)",
                    real_ms, raw_ms, "≤ 3×")
            db.engine.dispose()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
