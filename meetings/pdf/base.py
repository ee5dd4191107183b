"""The printed forms' common parts.

Fonts: ReportLab's built-in CID font STSong-Light (Adobe's GB1 set) renders
Chinese without shipping a font file; PDF readers supply the glyphs.
Labels are bilingual ("签到表 Sign-in sheet"): a printed form is read in the
hospital whatever language the person who printed it uses.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

from ..types import to_local, utcnow

FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

TITLE_LABELS = {
    "chief_physician": "主任医师", "associate_chief_physician": "副主任医师",
    "attending": "主治医师", "resident": "住院医师", "nurse": "护士", "intern": "实习医生",
    "other": "其他",
}


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def style(size: float = 9, leading: float | None = None, **kw) -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle(f"s{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.25,
                          wordWrap="CJK", **kw)


def para(text, size: float = 9, **kw) -> Paragraph:
    """A wrapped cell or line; the text is escaped (names are data, not markup)."""
    from xml.sax.saxutils import escape
    return Paragraph(escape(str(text or "")), style(size, **kw))


def label_cell(label: str, size: float = 8) -> Paragraph:
    """A bilingual column head, "签名 Signature", on two lines."""
    from xml.sax.saxutils import escape
    chinese, _sep, english = label.partition(" ")
    text = escape(chinese) + (f"<br/>{escape(english)}" if english else "")
    return Paragraph(text, style(size))


def title_label(title) -> str:
    value = getattr(title, "value", title) or ""
    return TITLE_LABELS.get(value, value)


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


# ---------------------------------------------------------------- the meeting header

@dataclass
class HeaderField:
    label: str
    value: str


def meeting_fields(meeting) -> list[HeaderField]:
    speaker = meeting.speaker.display_name if meeting.speaker else ""
    return [
        HeaderField("医院 Hospital", meeting.hospital.name),
        HeaderField("科室 Department", meeting.department.name),
        HeaderField("主题 Topic", meeting.topic),
        HeaderField("时间 Time", local_time(meeting.starts_at)),
        HeaderField("地点 Venue", meeting.venue),
        HeaderField("讲者 Speaker", speaker),
    ]


def draw_header(canvas, title: str, fields: list[HeaderField], right_reserve: float = 0) -> float:
    """The form's title and the meeting's fields in two columns at the top of
    the page; returns the height used. `right_reserve` leaves room on the
    right (for a QR code)."""
    register_fonts()
    top = PAGE_HEIGHT - MARGIN
    canvas.setFont(FONT, 15)
    canvas.drawString(MARGIN, top - 15, title)
    width = (CONTENT_WIDTH - right_reserve) / 2
    y0 = top - 15 - 8 * mm
    half = (len(fields) + 1) // 2
    for index, field in enumerate(fields):
        column, row = divmod(index, half)
        x, y = MARGIN + column * width, y0 - row * 5.5 * mm
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(x, y, field.label)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, 10)
        value = _fit(field.value, width - 27 * mm, 10)
        canvas.drawString(x + 26 * mm, y, value)
    height = 15 + 8 * mm + half * 5.5 * mm
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN, top - height, PAGE_WIDTH - MARGIN, top - height)
    return height


def _fit(text: str, width: float, size: float) -> str:
    text = str(text or "")
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


# ---------------------------------------------------------------- page x of y

class NumberedCanvas(rl_canvas.Canvas):
    """Keeps every page until the end, then writes "page x of y" on each."""

    footer_left = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.setFont(FONT, 8)
        self.setFillColor(colors.grey)
        y = MARGIN / 2
        self.drawCentredString(PAGE_WIDTH / 2, y,
                               f"第 {self._pageNumber} 页 / 共 {total} 页 · Page {self._pageNumber} of {total}")
        if self.footer_left:
            self.drawString(MARGIN, y, self.footer_left)


# ---------------------------------------------------------------- the document

def build(story: list, *, title: str, header: Callable[[object], float] | Callable,
          header_height: float, author: str = "科室会") -> bytes:
    """Lays `story` out on A4 pages whose top `header_height` is drawn by
    `header(canvas)` on every page; returns the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN + header_height, bottomMargin=MARGIN,
                          title=title, author=author)
    frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - header_height,
                  id="body", leftPadding=0, rightPadding=0, topPadding=3 * mm, bottomPadding=0)

    def on_page(canvas, _doc):
        canvas.saveState()
        header(canvas)
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPage=on_page)])
    printed = f"打印 Printed {local_time(utcnow())}"

    class _Canvas(NumberedCanvas):
        footer_left = printed

    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()


# ---------------------------------------------------------------- tables

GRID = colors.HexColor("#888888")
HEAD_BG = colors.HexColor("#e8eef7")


def table(rows: list[list], col_widths: list[float], *, row_height: float | None = None,
          repeat_rows: int = 1, extra_style: list | None = None) -> Table:
    """A ruled table whose first `repeat_rows` rows repeat on every page."""
    heights = None
    if row_height is not None:
        heights = [None] * repeat_rows + [row_height] * (len(rows) - repeat_rows)
    t = Table(rows, colWidths=col_widths, rowHeights=heights, repeatRows=repeat_rows)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, repeat_rows - 1), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *(extra_style or []),
    ]))
    return t


def heading(text: str, size: float = 11) -> Paragraph:
    return para(text, size, spaceBefore=4 * mm, spaceAfter=2 * mm)


CENTER = TA_CENTER
