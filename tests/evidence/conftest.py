"""Files as phones and scanners make them, and a meeting at each stage."""
from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal

import pytest
from PIL import Image

from meetings.extensions import db
from tests.conftest import filled_summary

GPS_LATITUDE = (32.0, 3.0, 41.5)  # a ward in Nanjing


def jpeg_bytes(size=(64, 48), *, taken="2026:12:01 19:30:00", offset=None, gps=True, orientation=None,
               xmp=True, comment=True, color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
        if offset:
            exif.get_ifd(0x8769)[36881] = offset
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: (118.0, 46.0, 12.3)})
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    extra = {}
    if xmp:
        extra["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><GPSLatitude>32,3.69N</GPSLatitude></x:xmpmeta>'
    if comment:
        extra["comment"] = b"secret comment"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90, **extra)
    return out.getvalue()


def png_bytes(size=(40, 30), *, text=True, exif=True) -> bytes:
    from PIL.PngImagePlugin import PngInfo
    image = Image.new("RGBA", size, (10, 120, 200, 255))
    info = PngInfo()
    if text:
        info.add_text("Comment", "GPS 32.0614N 118.7701E")
        info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>location</x:xmpmeta>")
    kwargs = {"pnginfo": info}
    if exif:
        data = Image.Exif()
        data.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE})
        kwargs["exif"] = data
    out = io.BytesIO()
    image.save(out, "PNG", **kwargs)
    return out.getvalue()


def webp_bytes(size=(40, 30)) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE})
    out = io.BytesIO()
    Image.new("RGB", size, (0, 200, 0)).save(out, "WEBP", exif=exif, quality=80)
    return out.getvalue()


def pdf_bytes(pages=1) -> bytes:
    from pypdf import PdfWriter
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bomb(width=20_000, height=20_000) -> bytes:
    """A valid 1-bit PNG of width × height, all black: a few KB compressed,
    400 million pixels (at least 400 MB as Pillow decodes it) once opened."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture
def attach(app):
    """attach(user, meeting, data=jpeg, kind="photo", filename=…, **fields) → the attachment."""
    from meetings.evidence import services

    def add(user, meeting, data=None, kind="photo", filename="IMG_0001.jpg", **fields):
        return services.add_attachment(user, meeting, io.BytesIO(jpeg_bytes() if data is None else data),
                                       filename=filename, kind=kind, **fields)
    return add


@pytest.fixture
def receipt(attach):
    """receipt(user, meeting, "meals", "1100", "12345678") → a receipt (a generated JPEG)."""
    from datetime import date
    counter = iter(range(1, 10_000))

    def add(user, meeting, category="meals", amount="100", invoice_no=None, **fields):
        n = next(counter)
        return attach(user, meeting, jpeg_bytes(color=(n % 256, 50, 50)), kind="receipt",
                      filename=f"receipt{n}.jpg", category=category, amount=Decimal(amount),
                      invoice_no=invoice_no or f"INV{n:08d}", issued_on=date(2026, 12, 1), **fields)
    return add


@pytest.fixture
def summarized(make_meeting, org):
    """summarized(actual_spend={"meals": "1500", …}, **make_meeting args) → a summarized meeting."""
    from meetings.summary.services import save_summary

    def make(actual_spend=None, **kwargs):
        kwargs.setdefault("diners", 5)  # the meal's diners (SPEC §12: meals ÷ those who ate)
        meeting = make_meeting("held", **kwargs)
        spend = [{"category": c, "amount": Decimal(a)} for c, a in
                 (actual_spend or {"meals": "1500", "gifts": "500"}).items()]
        save_summary(meeting.owner, meeting, **filled_summary(actual_spend=spend))
        db.session.commit()
        return meeting
    return make
