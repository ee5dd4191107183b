"""The printed forms' common parts.

Fonts (fonts.py): ReportLab's built-in CID font STSong-Light (Adobe's GB1 set)
renders Chinese without shipping a font file; PDF readers supply the glyphs;
with PDF_FONT set, a TrueType font is embedded instead. The GB1 set
has no ✓ ✗ • or middle dot (·): they would print as empty boxes, so printable()
swaps them for look-alikes it has (a name like 阿依古丽·买买提 keeps its dot).
Use mark() for a drawn tick or cross, and ▲ ◆ ★ — → for bullets and signs.
Labels are bilingual ("签到表 Sign-in sheet"): a printed form is read in the
hospital whatever language the person who printed it uses.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.graphics.shapes import Drawing, Line, PolyLine
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from ..labels import bilingual, chinese
from ..types import to_local, utcnow
from .fonts import font, has_glyph
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

# The words of a printed form's codes come from the one registry
# (meetings/labels.py), both languages side by side.
KINDS = {"status": "Status", "action": "action", "category": "BudgetCategory", "purpose": "Purpose",
         "audience": "Audience", "format": "Format", "role": "InviteeRole",
         "invitee_status": "InviteeStatus", "question_status": "QuestionStatus",
         "user_role": "Role", "segment": "SegmentKind", "source": "Source"}


def label(kind: str, value) -> str:
    """"已召开 Held" for an enum member or its value; "" for None."""
    if value is None:
        return ""
    return bilingual(getattr(value, "value", value), KINDS[kind])


def title_label(title) -> str:
    """A doctor's title in Chinese only: the column is narrow."""
    return chinese(getattr(title, "value", title) or "", "Title")


def money_text(value) -> str:
    return "" if value is None else f"{value:.2f}"


def rate_text(value: float | None) -> str:
    """A rate as a percentage; an empty denominator (None) as a dash."""
    return "—" if value is None else f"{value * 100:.0f}%"


def register_fonts() -> str:
    """The forms' font name, registered (once per process)."""
    return font()


def style(size: float = 9, leading: float | None = None, **kw) -> ParagraphStyle:
    name = register_fonts()
    return ParagraphStyle(f"s{size}-{name}", fontName=name, fontSize=size, leading=leading or size * 1.25,
                          wordWrap="CJK", **kw)


_LOOK_ALIKES = str.maketrans({"·": "・", "•": "・", "✓": "√", "✔": "√", "✗": "×", "✘": "×"})


# Joiners, variation selectors, skin-tone modifiers, tag characters: the
# glue of an emoji sequence, invisible on their own.
_EMOJI_GLUE = re.compile("[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def printable(text) -> str:
    """The text as the forms' font can print it (SPEC §11): look-alikes for
    the few signs it lacks that have one, and every other character it lacks
    (an emoji) left out — never printed as itself, which would garble the
    characters after it. Spaces left doubled by a removal close up."""
    text = _EMOJI_GLUE.sub("", str(text or "").translate(_LOOK_ALIKES))
    if all(has_glyph(char) or char in "\n\t" for char in text):
        return text
    kept = "".join(char for char in text if has_glyph(char) or char in "\n\t")
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", kept).strip(" ")


def para(text, size: float = 9, **kw) -> Paragraph:
    """A wrapped cell or line; the text is escaped (names are data, not markup)."""
    from xml.sax.saxutils import escape
    return Paragraph(escape(printable(text)), style(size, **kw))


def label_cell(label: str, size: float = 8) -> Paragraph:
    """A bilingual column head, "签名 Signature", on two lines."""
    from xml.sax.saxutils import escape
    chinese, _sep, english = printable(label).partition(" ")
    text = escape(chinese) + (f"<br/>{escape(english)}" if english else "")
    return Paragraph(text, style(size))




# ---------------------------------------------------------------- fitting text

def ellipsis(text: str, width: float, size: float, face: str | None = None) -> str:
    """`text` cut short with "…" to fit `width` at `size` points."""
    face = face or font()
    if pdfmetrics.stringWidth(text, face, size) <= width:
        return text
    room = width - pdfmetrics.stringWidth("…", face, size)
    used = 0.0
    for index, char in enumerate(text):
        used += pdfmetrics.stringWidth(char, face, size)
        if used > room:
            return text[:index].rstrip() + "…"
    return text


def _break(text: str, width: float, size: float, face: str) -> int:
    """How many characters of `text` go on a line `width` wide: as many as
    fit, back to the last space when that would split a Latin word."""
    used, fit = 0.0, 0
    for fit, char in enumerate(text):  # noqa: B007 (fit is read after the loop)
        used += pdfmetrics.stringWidth(char, face, size)
        if used > width:
            break
    else:
        return len(text)
    fit = max(fit, 1)
    space = text.rfind(" ", 0, fit)
    if space > 0 and text[fit].isascii() and text[fit - 1].isascii() and text[fit].isalnum():
        return space + 1
    return fit


def fit_lines(text, width: float, size: float, lines: int = 2, face: str | None = None) -> list[str]:
    """`text` on at most `lines` lines no wider than `width` at `size` points."""
    face = face or font()
    text = printable(text)
    if pdfmetrics.stringWidth(text, face, size) <= width:
        return [text]
    out: list[str] = []
    while text and len(out) < lines - 1:
        cut = _break(text, width, size, face)
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        out.append(ellipsis(text, width, size, face))
    return out



def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


# ---------------------------------------------------------------- the meeting header

@dataclass
class HeaderField:
    label: str
    value: str
    wide: bool = False  # a row of its own below the two columns (a long topic)


def meeting_fields(meeting, *, wide_topic: bool = False) -> list[HeaderField]:
    """`wide_topic`: the topic on a row of its own (beside a QR code a column
    holds a dozen characters, and a topic is often longer)."""
    speaker = meeting.speaker.display_name if meeting.speaker else ""
    return [
        HeaderField("医院 Hospital", meeting.hospital.name),
        HeaderField("科室 Department", meeting.department.name),
        HeaderField("主题 Topic", meeting.topic, wide=wide_topic),
        HeaderField("时间 Time", local_time(meeting.starts_at)),
        HeaderField("地点 Venue", meeting.venue),
        HeaderField("讲者 Speaker", speaker),
    ]


def form_fields(meeting) -> list[HeaderField]:
    """The header of the proposal and summary forms: the meeting, its owner
    and its status."""
    return meeting_fields(meeting) + [
        HeaderField("代表 Rep", meeting.owner.display_name),
        HeaderField("状态 Status", label("status", meeting.status)),
    ]


ROW = 5.5 * mm           # a row of the header's fields
LINE = 4.6 * mm          # each further line of a wrapped field
HEADER_SIZE = 10
LABEL_WIDTH = 26 * mm
WIDE_LINES = 3           # a long topic wraps onto up to three lines, then "…"


def _layout(fields: list[HeaderField], right_reserve: float):
    """Where each field goes: the short ones in two columns, each on one
    line; a field marked wide — or too long for its column — on a row of
    its own below them, wrapped (SPEC §11: a long topic wraps instead of
    running into the next label). Returns (column width, the short fields,
    [(wide field, its lines)])."""
    width = (CONTENT_WIDTH - right_reserve) / 2
    face = font()
    narrow, wide = [], []
    for field in fields:
        text = printable(field.value)
        if not field.wide and pdfmetrics.stringWidth(text, face, HEADER_SIZE) <= width - LABEL_WIDTH - 1 * mm:
            narrow.append(field)
        else:
            wide.append((field, fit_lines(text, 2 * width - LABEL_WIDTH - 1 * mm, HEADER_SIZE, WIDE_LINES)))
    return width, narrow, wide


def draw_header(canvas, title: str, fields: list[HeaderField], right_reserve: float = 0,
                min_height: float = 0) -> float:
    """The form's title and the meeting's fields in two columns (a wide field
    on rows of its own below them) at the top of the page, ruled off at
    least `min_height` down; returns the height used. `right_reserve` leaves
    room on the right (for a QR code, which `min_height` keeps the rule
    clear of)."""
    face = register_fonts()
    top = PAGE_HEIGHT - MARGIN
    canvas.setFont(face, 15)
    canvas.drawString(MARGIN, top - 15, printable(title))
    width, narrow, wide = _layout(fields, right_reserve)
    y0 = top - 15 - 8 * mm
    half = (len(narrow) + 1) // 2

    def draw(x, y, field, lines):
        canvas.setFont(face, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(x, y, field.label)
        canvas.setFillColor(colors.black)
        canvas.setFont(face, HEADER_SIZE)
        for number, line in enumerate(lines):
            canvas.drawString(x + LABEL_WIDTH, y - number * LINE, line)

    for index, field in enumerate(narrow):
        column, row = divmod(index, half)
        draw(MARGIN + column * width, y0 - row * ROW, field, [printable(field.value)])
    y = y0 - half * ROW
    for field, lines in wide:
        draw(MARGIN, y, field, lines)
        y -= ROW + (len(lines) - 1) * LINE
    height = max(_fields_height(fields, right_reserve), min_height)
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN, top - height, PAGE_WIDTH - MARGIN, top - height)
    return height


def _fields_height(fields: list[HeaderField], right_reserve: float = 0) -> float:
    _width, narrow, wide = _layout(fields, right_reserve)
    wide_height = sum(ROW + (len(lines) - 1) * LINE for _field, lines in wide)
    return 15 + 8 * mm + (len(narrow) + 1) // 2 * ROW + wide_height


def header_height(fields: list[HeaderField], min_height: float = 0, right_reserve: float = 0) -> float:
    """The room draw_header takes at the top of each page, with a small gap:
    what build() needs as `header_height`."""
    return max(_fields_height(fields, right_reserve), min_height) + 2 * mm


# ---------------------------------------------------------------- page x of y

class NumberedCanvas(rl_canvas.Canvas):
    """Keeps every page until the end, then writes "page x of y" on each."""

    footer_left = ""

    def __init__(self, *args, **kwargs):
        # the form's font from the first line: ReportLab's default (Helvetica,
        # never embedded) would otherwise sit in every page's resources
        kwargs["initialFontName"] = kwargs.get("initialFontName") or font()
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
        self.setFont(font(), 8)
        self.setFillColor(colors.grey)
        y = MARGIN / 2
        self.drawCentredString(PAGE_WIDTH / 2, y,
                               f"第 {self._pageNumber} 页 / 共 {total} 页　Page {self._pageNumber} of {total}")
        if self.footer_left:
            self.drawString(MARGIN, y, self.footer_left)


def numbered_canvas(buffer, *, title: str, author: str = "科室会") -> NumberedCanvas:
    """An A4 canvas for a form drawn without platypus: "page x of y" and the
    time it was printed at the foot of every page, as build() writes them."""
    canvas = NumberedCanvas(buffer, pagesize=A4)
    canvas.footer_left = f"打印 Printed {local_time(utcnow())}"
    canvas.setTitle(title)
    canvas.setAuthor(author)
    return canvas


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


def pdf_response(pdf: bytes, filename: str):
    """A printed form as the answer to a request: shown in the browser's
    viewer, saved under `filename`."""
    from flask import Response

    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"})


# ---------------------------------------------------------------- tables

GRID = colors.HexColor("#888888")
HEAD_BG = colors.HexColor("#e8eef7")


def table(rows: list[list], col_widths: list[float], *, row_height: float | None = None,
          repeat_rows: int = 1, extra_style: list | None = None, split_in_row: bool = False) -> Table:
    """A ruled table whose first `repeat_rows` rows repeat on every page.
    `split_in_row`: a row taller than what is left of the page (a long
    comment) is split across pages instead of failing the layout."""
    heights = None
    if row_height is not None:
        heights = [None] * repeat_rows + [row_height] * (len(rows) - repeat_rows)
    t = Table(rows, colWidths=col_widths, rowHeights=heights, repeatRows=repeat_rows,
              splitInRow=1 if split_in_row else 0)
    head = [("BACKGROUND", (0, 0), (-1, repeat_rows - 1), HEAD_BG)] if repeat_rows else []
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        *head,
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *(extra_style or []),
    ]))
    return t


def heading(text: str, size: float = 11, **kw) -> Paragraph:
    return para(text, size, spaceBefore=4 * mm, spaceAfter=2 * mm, **kw)


def section_heading(text: str, size: float = 11, room: float = 30 * mm, **kw) -> list:
    """A section's title, on a new page when less than `room` is left, so a
    title never ends a page. (Not keepWithNext: that moves a title and a
    text longer than a page to the next page, leaving this one half empty.)"""
    return [CondPageBreak(room), heading(text, size, **kw)]


def text_block(text: str | None, size: float = 9.5, **kw) -> list:
    """Free text typed by a person: one Paragraph per line, so a long text
    wraps and flows onto further pages (a Paragraph splits between pages;
    a table cell would not). An empty text prints as a dash."""
    lines = str(text or "").replace("\r\n", "\n").split("\n")
    if not any(line.strip() for line in lines):
        return [para("—", size, **kw)]
    out = []
    for line in lines:
        out.append(para(line, size, spaceAfter=1.5, **kw) if line.strip() else Spacer(1, size * 0.6))
    return out


def mark(ok: bool, size: float = 3.2 * mm) -> Drawing:
    """A drawn tick or cross (the CID font has no ✓/✗ glyphs)."""
    drawing = Drawing(size, size)
    drawing.initialFontName = font()  # not ReportLab's Helvetica: every font of a form is embedded
    if ok:
        drawing.add(PolyLine([0.1 * size, 0.5 * size, 0.4 * size, 0.15 * size, 0.95 * size, 0.9 * size],
                             strokeColor=colors.HexColor("#1a7f37"), strokeWidth=1.4))
    else:
        red = colors.HexColor("#c62828")
        drawing.add(Line(0.15 * size, 0.15 * size, 0.85 * size, 0.85 * size, strokeColor=red, strokeWidth=1.4))
        drawing.add(Line(0.15 * size, 0.85 * size, 0.85 * size, 0.15 * size, strokeColor=red, strokeWidth=1.4))
    return drawing


def pairs_table(pairs: list[tuple[str, object]], columns: int = 2,
                label_width: float = 30 * mm) -> Table:
    """Label/value pairs in `columns` columns of a ruled grid; values wrap."""
    value_width = CONTENT_WIDTH / columns - label_width
    rows = []
    for start in range(0, len(pairs), columns):
        row = []
        for label_text, value in pairs[start:start + columns]:
            cell = value if not isinstance(value, (str, int, float)) else para(value, 9.5)
            row += [label_cell(label_text, 7.5), cell]
        row += ["", ""] * (columns - len(pairs[start:start + columns]))
        rows.append(row)
    label_cols = [("BACKGROUND", (2 * c, 0), (2 * c, -1), HEAD_BG) for c in range(columns)]
    return table(rows, [label_width, value_width] * columns, repeat_rows=0,
                 extra_style=label_cols, split_in_row=True)


def approval_trail(meeting, title: str = "审批记录 Approval trail") -> list:
    """The meeting's history: who, when (local time), from → to, comment."""
    head = [label_cell(text) for text in ("时间 When", "人员 Who", "操作 Action",
                                          "状态 From→to", "备注 Comment")]
    rows = [head]
    for step in meeting.history:
        who = ""
        if step.actor is not None:
            who = f"{step.actor.display_name}（{label('user_role', step.actor.role)}）"
        moved = (label("status", step.to_status) if step.from_status == step.to_status else
                 f"{label('status', step.from_status)} → {label('status', step.to_status)}")
        rows.append([para(local_time(step.at), 8.5), para(who, 8.5),
                     para(label("action", step.action), 8.5), para(moved, 8), para(step.comment, 8.5)])
    return [*section_heading(title),
            table(rows, [25 * mm, 28 * mm, 28 * mm, 54 * mm, CONTENT_WIDTH - 135 * mm],
                  split_in_row=True)]


CENTER = TA_CENTER
