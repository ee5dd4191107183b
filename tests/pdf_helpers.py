"""Reading printed forms back in tests (pypdf), and keeping samples to look at."""
from __future__ import annotations

import io
import os

from pypdf import PdfReader


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def body_text(pdf: bytes, top: float, bottom: float) -> str:
    """The text drawn between `bottom` and `top` (points from the page's
    foot) on every page, in order, without whitespace: what flowed through
    the body frame, free of the repeated header and footer."""
    reader = PdfReader(io.BytesIO(pdf))
    parts: list[str] = []

    def visit(text, cm, tm, _font, _size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if bottom <= y <= top:
            parts.append(text)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return "".join("".join(parts).split())


def keep(pdf: bytes, name: str) -> None:
    """PDF_SAMPLES=/tmp/dir keeps the rendered forms for a look (never in git)."""
    folder = os.environ.get("PDF_SAMPLES")
    if folder:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(pdf)
