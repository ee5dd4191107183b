"""Forms whose body is ruled rows of one height (the sign-in sheet), drawn
straight on the canvas: columns at fixed x positions, the column head again
on every page, each cell's text fitted to its width (wrapped onto a second
line, then cut short with "…"). Platypus measures, wraps and splits every
cell of every row; rows of a known height need none of that, and drawing
them directly is several times faster (benchmarks/signin_sheet_pdf.py)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, Union

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .base import (CONTENT_WIDTH, GRID, HEAD_BG, MARGIN, PAGE_HEIGHT, ellipsis, fit_lines,  # noqa: F401
                   numbered_canvas, printable)
from .fonts import font

PAD = 3  # points between a cell's rule and its text
HEAD_SIZE = 8
HEAD_HEIGHT = 2 * HEAD_SIZE * 1.25 + 6
NOTE_SIZE = 6.5
HEADER_FORM = "ruled-page-header"
# A CJK face's glyphs sit between about −0.12 and 0.88 of the size around the
# baseline: a line is centred on a point by dropping its baseline this much.
CENTRE = 0.36


@dataclass(frozen=True)
class Column:
    label: str  # "签名 Signature": Chinese over English in the head
    width: float
    size: float = 9  # the text size of the column's cells


@dataclass(frozen=True)
class Note:
    """A cell's text with a small grey line under it (whom a backup stands in for)."""
    text: str
    note: str


# A cell: its text, a Note, or a function drawing into the box (canvas, x, y, width, height).
Cell = Union[str, Note, Callable]


# ---------------------------------------------------------------- the pages

class RuledPages:
    """An A4 form: what `header(canvas)` draws at the top of every page,
    lines of text and ruled tables below it, "page x of y" at the foot;
    finish() returns the PDF. A page's text goes into one text object (one
    BT … ET, a font change only when the size changes): drawString per cell
    costs a text object and a width measurement each."""

    def __init__(self, *, title: str, header: Callable, header_height: float, author: str = "科室会"):
        self._buffer = io.BytesIO()
        self.canvas = numbered_canvas(self._buffer, title=title, author=author)
        self.face = font()
        self._header = header
        self._top = PAGE_HEIGHT - MARGIN - header_height - 3 * mm
        self._bottom = MARGIN
        self._table: tuple[list[Column], list[float], float] | None = None
        self._rules: list[float] = []  # the y of each rule of the table's part on this page
        self._text = None
        self._size = None
        self._grey = False
        self.y = 0.0
        self._page(first=True)

    # -------------------------------------------------------------- flow

    def _page(self, first: bool = False) -> None:
        if not first:
            self._close_page()
            self.canvas.showPage()
        # The header is the same on every page: drawn once, as a form XObject
        # that each page places.
        if not self.canvas.hasForm(HEADER_FORM):
            self.canvas.beginForm(HEADER_FORM)
            self._header(self.canvas)
            self.canvas.endForm()
        self.canvas.doForm(HEADER_FORM)
        self._text, self._size, self._grey = self.canvas.beginText(), None, False
        self.y = self._top
        if self._table is not None:
            self._head()

    def _close_page(self) -> None:
        self._close_rules()
        self.canvas.drawText(self._text)

    def room(self, height: float) -> None:
        """Go on to a new page unless `height` points are left on this one."""
        if self.y - height < self._bottom:
            self._page()

    def _draw(self, x: float, y: float, text: str, size: float, grey: bool = False) -> None:
        t = self._text
        if size != self._size:
            t.setFont(self.face, size)
            self._size = size
        if grey != self._grey:
            t.setFillColor(colors.dimgrey if grey else colors.black)
            self._grey = grey
        t.setTextOrigin(x, y)
        t.textOut(text)

    def text(self, text: str, size: float = 9, before: float = 0, after: float = 0) -> None:
        """One line across the page (cut short if too long)."""
        self.room(before + size * 1.3 + after)
        self.y -= before + size
        self._draw(MARGIN, self.y, ellipsis(printable(text), CONTENT_WIDTH, size, self.face), size)
        self.y -= size * 0.3 + after

    # -------------------------------------------------------------- tables

    def table(self, columns: list[Column], row_height: float, *, title: str | None = None,
              title_size: float = 11, keep: int = 1) -> None:
        """Start a ruled table under its `title`: the head here — on a new
        page unless the title, the head and `keep` rows fit on this one, so a
        title never ends a page — and again on every further page."""
        self.end_table()
        title_height = 4 * mm + title_size * 1.3 + 2 * mm if title else 0
        self.room(title_height + HEAD_HEIGHT + keep * row_height)
        if title:
            self.text(title, title_size, before=4 * mm, after=2 * mm)
        xs = [MARGIN]
        for column in columns:
            xs.append(xs[-1] + column.width)
        self._table = (columns, xs, row_height)
        self._head()

    def _head(self) -> None:
        columns, xs, _height = self._table
        canvas, top = self.canvas, self.y
        canvas.saveState()
        canvas.setFillColor(HEAD_BG)
        canvas.rect(xs[0], top - HEAD_HEIGHT, xs[-1] - xs[0], HEAD_HEIGHT, stroke=0, fill=1)
        canvas.restoreState()
        for x, column in zip(xs, columns):
            chinese, _sep, english = printable(column.label).partition(" ")
            self._draw(x + PAD, top - 3 - HEAD_SIZE, chinese, HEAD_SIZE)
            if english:
                self._draw(x + PAD, top - 3 - 2.25 * HEAD_SIZE, english, HEAD_SIZE)
        self._rules = [top]
        self.y = top - HEAD_HEIGHT
        self._rules.append(self.y)

    def row(self, cells: list[Cell], *, keep: float = 0) -> None:
        """One row; `keep`: points of what follows that must stay on its page."""
        columns, xs, height = self._table
        self.room(height + keep)
        top, face = self.y, self.face
        middle = top - height / 2
        for x, column, cell in zip(xs, columns, cells):
            if not cell:
                continue
            inner = column.width - 2 * PAD
            if callable(cell):
                cell(self.canvas, x, top - height, column.width, height)
            elif isinstance(cell, Note):
                self._draw(x + PAD, middle + 1, ellipsis(printable(cell.text), inner, column.size, face),
                           column.size)
                self._draw(x + PAD, middle - NOTE_SIZE - 1.5,
                           ellipsis(printable(cell.note), inner, NOTE_SIZE, face), NOTE_SIZE, grey=True)
            else:
                self._lines(cell, x + PAD, middle, inner, column.size)
        self.y = top - height
        self._rules.append(self.y)

    def _lines(self, text: str, x: float, middle: float, width: float, size: float) -> None:
        """The text centred on `middle`: one line, else two a little smaller."""
        text = printable(text)
        if stringWidth(text, self.face, size) <= width:
            lines = [text]
        else:
            size *= 0.88
            lines = fit_lines(text, width, size, face=self.face)
        leading = size * 1.15
        baseline = middle + (len(lines) - 1) * leading / 2 - CENTRE * size
        for index, line in enumerate(lines):
            self._draw(x, baseline - index * leading, line, size)

    def end_table(self) -> None:
        self._close_rules()
        self._table = None

    def _close_rules(self) -> None:
        """The grid of the table's part on this page, as one path: a rule
        under each row and the column lines from the head down."""
        if self._table is None or len(self._rules) < 2:
            return
        _columns, xs, _height = self._table
        top, bottom = self._rules[0], self._rules[-1]
        path = self.canvas.beginPath()
        for y in self._rules:
            path.moveTo(xs[0], y)
            path.lineTo(xs[-1], y)
        for x in xs:
            path.moveTo(x, top)
            path.lineTo(x, bottom)
        self.canvas.saveState()
        self.canvas.setStrokeColor(GRID)
        self.canvas.setLineWidth(0.5)
        self.canvas.drawPath(path, stroke=1, fill=0)
        self.canvas.restoreState()
        self._rules = []

    def finish(self) -> bytes:
        self.end_table()
        self._close_page()
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()
