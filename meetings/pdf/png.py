"""Grey+alpha PNGs (the stored signatures) placed on a printed form without
decoding and compressing them again.

Every signature is stored re-encoded as an 8-bit grey+alpha PNG
(checkin.services.reencode_signature). PDF reads PNG's compressed rows as
they are (FlateDecode with the PNG predictors), so the image data is copied
into the PDF instead of being decoded, turned into RGB, hashed and
compressed again (what ReportLab's ImageReader does: most of a signed
sheet's time). PDF has no grey+alpha image, so the two channels are read as
a two-component DeviceN colour whose tint function lays the ink on white
paper: grey = 1 − alpha × (1 − ink). The form's cells are white, so this
looks the same as a transparent image.

The compressed rows are inflated once to check them (as cheap as
it gets without trusting the database: a row stored before signatures were
re-encoded may be corrupt, and a PDF reader would show a broken page).
Any other PNG is decoded with Pillow and composited onto white; one that
does not decode is not drawn.
"""
from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass

from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFStream,
                                      PDFZCompress, xObjectName)

MAGIC = b"\x89PNG\r\n\x1a\n"
GREY, GREY_ALPHA = 0, 4
CHANNELS = {GREY: 1, GREY_ALPHA: 2}
# (ink, alpha) → grey on white paper, as a PostScript calculator function
ON_WHITE = b"{ exch 1 exch sub mul 1 exch sub }"
FUNCTION = "png-on-white"
# More pixels than a printed box ever needs: such a PNG (only an old row, or
# a crafted one) is not drawn rather than decoded into hundreds of megabytes.
MAX_PIXELS = 4_000_000


@dataclass(frozen=True)
class Png:
    """A PNG that PDF can read as it is: its size, colour type and the
    concatenated IDAT data (one zlib stream of filtered rows)."""
    width: int
    height: int
    colour: int
    data: bytes


def passthrough(png: bytes) -> Png | None:
    """The PNG's image data if PDF can take it unchanged (8-bit grey or
    grey+alpha, not interlaced) and it inflates to exactly the rows its
    header promises; None otherwise."""
    if len(png) < 33 or not png.startswith(MAGIC) or png[12:16] != b"IHDR":
        return None
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", png[16:29])
    if (depth != 8 or colour not in CHANNELS or compression or filtering or interlace
            or not width or not height or width * height > MAX_PIXELS):
        return None
    parts, position = [], 8
    while position + 8 <= len(png):
        (length,), kind = struct.unpack(">I", png[position:position + 4]), png[position + 4:position + 8]
        if kind == b"IDAT":
            parts.append(png[position + 8:position + 8 + length])
        elif kind == b"IEND":
            break
        position += 12 + length
    data = b"".join(parts)
    stride = 1 + width * CHANNELS[colour]
    inflate = zlib.decompressobj()
    try:  # never more than the rows promised: a few kilobytes may inflate to gigabytes
        rows = inflate.decompress(data, height * stride + 1)
    except zlib.error:
        return None
    if not inflate.eof or len(rows) != height * stride or max(rows[::stride]) > 4:  # 5 row filters
        return None
    return Png(width, height, colour, data)


def _on_white(png: bytes) -> Png | None:
    """Any other PNG, decoded and composited onto white (grey, 8 bit)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            grey = image.convert("LA")
    except Exception:  # noqa: BLE001 — any decoder error: not drawn
        return None
    paper = Image.new("L", grey.size, 255)
    ink, alpha = grey.split()
    paper.paste(ink, mask=alpha)
    raw = b"".join(b"\x00" + row for row in _rows(paper))
    return Png(paper.width, paper.height, GREY, zlib.compress(raw))


def _rows(image):
    data, width = image.tobytes(), image.width
    return (data[start:start + width] for start in range(0, len(data), width))


def _function(canvas) -> str:
    """The tint function, registered once per document."""
    name = xObjectName(FUNCTION)
    if name not in canvas._doc.idToObject:
        stream = PDFStream(PDFDictionary({"FunctionType": 4, "Domain": PDFArray([0, 1, 0, 1]),
                                          "Range": PDFArray([0, 1])}), ON_WHITE, [PDFZCompress])
        canvas._doc.Reference(stream, name)
    return name


def _register(canvas, png: Png, name: str) -> None:
    channels = CHANNELS[png.colour]
    if png.colour == GREY_ALPHA:
        space = PDFArray([PDFName("DeviceN"), PDFArray([PDFName("Ink"), PDFName("Alpha")]),
                          PDFName("DeviceGray"), PDFObjectReference(_function(canvas))])
    else:
        space = PDFName("DeviceGray")
    stream = PDFStream(PDFDictionary({
        "Type": PDFName("XObject"), "Subtype": PDFName("Image"), "Width": png.width,
        "Height": png.height, "BitsPerComponent": 8, "ColorSpace": space,
        "Filter": PDFName("FlateDecode"),
        "DecodeParms": PDFDictionary({"Predictor": 15, "Colors": channels, "BitsPerComponent": 8,
                                      "Columns": png.width}),
    }), png.data)
    # ReportLab keeps images and forms in one XObject namespace; doForm places either
    canvas._doc.Reference(stream, xObjectName(name))


def draw_png(canvas, png: bytes, x: float, y: float, width: float, height: float) -> bool:
    """Draw `png` scaled to fit the box at (x, y) (lower left), keeping its
    proportions, left-aligned and centred vertically. False, and nothing
    drawn, if it is not a readable PNG."""
    image = passthrough(png) or _on_white(png)
    if image is None:
        return False
    name = "png-" + hashlib.blake2b(png, digest_size=12).hexdigest()
    if not canvas.hasForm(name):
        _register(canvas, image, name)
    scale = min(width / image.width, height / image.height)
    w, h = image.width * scale, image.height * scale
    canvas.saveState()
    canvas.translate(x, y + (height - h) / 2)
    canvas.scale(w, h)
    canvas.doForm(name)
    canvas.restoreState()
    return True
