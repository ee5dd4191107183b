"""The two file formats every exporter shares.

- CSV: UTF-8 with a BOM, so Excel opens Chinese text correctly; streamed
  line by line.
- XLSX: openpyxl's write_only workbook (rows go straight to disk, not into a
  worksheet in memory), saved to a temporary file that is then streamed.

No cell ever runs as a formula: text starting with = + - @ (or a tab or a
carriage return, which some spreadsheets skip before looking) is prefixed with
a single quote — the OWASP advice for CSV injection. Numbers stay numbers."""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 200


def neutralise(value):
    """A cell value a spreadsheet shows and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal, datetime, date)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_cell(value) -> str:
    value = neutralise(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The CSV as byte chunks, BOM first, a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([_csv_cell(h) for h in header])
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(value):
    value = neutralise(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no zones: the exporter gives local time
    return value


# How a column's cells are shown in a spreadsheet (the values stay exact)
NUMBER_FORMATS = {"money": "#,##0.00", "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd",
                  "int": "0"}
WIDTHS = {"money": 14, "datetime": 17, "date": 12, "int": 10}


def _width(text: str) -> float:
    """Excel column width of a header: a CJK character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(text)) + 2


def xlsx_file(header: list[str], rows: Iterable[list], title: str,
              kinds: tuple | list = (), widths: tuple | list = ()) -> BinaryIO:
    """The workbook in a temporary file (rewound), written row by row: the
    header bold and frozen, each column as wide as its header (or `widths`),
    money as #,##0.00 and times as dates (`kinds`: "money", "datetime",
    "date", "int" or None per column)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    kinds = list(kinds) + [None] * (len(header) - len(kinds))
    for index, name in enumerate(header):
        width = widths[index] if index < len(widths) and widths[index] else \
            max(_width(name), WIDTHS.get(kinds[index], 0))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_cell(name))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    formats = [NUMBER_FORMATS.get(kind) for kind in kinds]
    for row in rows:
        out = []
        for value, number_format in zip(row, formats + [None] * (len(row) - len(formats))):
            value = _xlsx_cell(value)
            if number_format and isinstance(value, (int, float, Decimal, datetime, date)) \
                    and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (returned open: the caller streams and closes it)
    book.save(out)
    out.seek(0)
    return out


def file_chunks(handle, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()
