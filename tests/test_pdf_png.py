"""Stored signatures go onto printed forms as they are stored (meetings/pdf/png.py):
the PNG's compressed rows copied into the PDF, looking as ReportLab's own
decoded image does; other PNGs decoded, and unreadable ones left out."""
import io
import struct
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdfium2 import PdfDocument
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdf_canvas

from meetings.checkin.services import reencode_signature
from meetings.pdf.png import draw_png, passthrough

BOX = (20, 20, 240, 80)


def scribble(mode="RGBA", size=(600, 200)) -> bytes:
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else 255)
    ImageDraw.Draw(image).line([(30, 150), (150, 40), (300, 170), (450, 30), (570, 120)],
                               fill=(0, 0, 0, 255) if mode == "RGBA" else 0, width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def page(draw) -> tuple[bytes, Image.Image]:
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pagesize=(280, 120))
    draw(c)
    c.showPage()
    c.save()
    return buffer.getvalue(), PdfDocument(buffer.getvalue())[0].render(scale=3).to_pil().convert("L")


def test_a_stored_signature_is_copied_into_the_pdf_and_looks_as_reportlab_draws_it():
    stored = reencode_signature(scribble())  # as the QR page stores it: 8-bit grey+alpha
    image = passthrough(stored)
    assert image is not None
    pdf, ours = page(lambda c: draw_png(c, stored, *BOX))
    assert image.data in pdf  # the compressed rows, not decoded and compressed again
    _pdf, reportlab = page(lambda c: c.drawImage(ImageReader(io.BytesIO(stored)), *BOX, mask="auto",
                                                 preserveAspectRatio=True, anchor="w"))
    assert ours.getextrema()[0] < 60  # ink on the page…
    difference = ImageChops.difference(ours, reportlab)
    assert ImageStat.Stat(difference).mean[0] < 2  # …where ReportLab puts it, on white


def test_a_signature_stored_in_another_form_is_decoded_and_drawn_on_white():
    older = scribble("RGBA")  # colour with alpha: stored before signatures were re-encoded
    assert passthrough(older) is None
    _pdf, ours = page(lambda c: draw_png(c, older, *BOX))
    _pdf, reportlab = page(lambda c: c.drawImage(ImageReader(io.BytesIO(older)), *BOX, mask="auto",
                                                 preserveAspectRatio=True, anchor="w"))
    assert ours.getextrema()[0] < 60
    assert ImageStat.Stat(ImageChops.difference(ours, reportlab)).mean[0] < 2


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


HEADER = struct.pack(">IIBBBBB", 300, 100, 8, 4, 0, 0, 0)  # 300 × 100, 8-bit grey+alpha
ROWS = b"".join(b"\x00" + b"\xff\x00" * 300 for _ in range(100))


def grey_alpha(data: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", HEADER) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def test_a_grey_alpha_png_whose_rows_do_not_decode_is_left_out():
    for data in (zlib.compress(ROWS)[:-40],  # cut short
                 zlib.compress(ROWS[:-600]),  # rows missing
                 zlib.compress(b"\x07" + ROWS[1:])):  # a row filter PNG does not have
        png = grey_alpha(data)
        assert passthrough(png) is None
        drawn = []
        pdf, _image = page(lambda c, png=png, drawn=drawn: drawn.append(draw_png(c, png, *BOX)))
        assert drawn == [False] and b"/Subtype /Image" not in pdf
    assert passthrough(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00") is None  # a header cut short


def test_rows_that_are_not_exactly_what_the_header_promises_are_decoded_not_copied():
    for data in (zlib.compress(ROWS)[:-2],  # the checksum missing
                 zlib.compress(ROWS + b"\x00" * 10**7)):  # inflating to far more than promised
        png = grey_alpha(data)
        assert passthrough(png) is None
        pdf, _image = page(lambda c, png=png: draw_png(c, png, *BOX))
        assert b"/Subtype /Image" in pdf and data not in pdf
