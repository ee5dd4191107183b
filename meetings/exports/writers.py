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


def xlsx_file(header: list[str], rows: Iterable[list], title: str) -> BinaryIO:
    """The workbook in a temporary file (rewound), written row by row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
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
