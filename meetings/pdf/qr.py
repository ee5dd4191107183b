"""QR codes on printed forms: segno's module matrix drawn as one filled path.

ReportLab's own QrCodeWidget encodes in pure Python and draws each dark
module as a validated shape object (tens of thousands per code); a path of
rectangles is one PDF object that any viewer fills in a single operation, and
segno (already used for the QR page) encodes in a fraction of the time."""
from __future__ import annotations

import segno


def draw_qr(canvas, data: str, x: float, y: float, size: float, *, error: str = "m",
            border: int = 2) -> None:
    """Draw the QR code of `data` with its lower-left corner at (x, y),
    `size` points square, `border` quiet-zone modules around it."""
    code = segno.make_qr(data, error=error)
    matrix = code.matrix
    count = len(matrix) + 2 * border
    unit = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border) * unit
        column = 0
        while column < len(row):  # one rectangle per run of dark modules
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + (start + border) * unit, top - unit, (column - start) * unit, unit)
            else:
                column += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
