"""The QR code on printed forms decodes back to its URL."""
import io

import zxingcpp
from pypdfium2 import PdfDocument
from reportlab.pdfgen import canvas as pdf_canvas

from meetings.pdf.qr import draw_qr


def test_the_drawn_qr_code_reads_back_as_its_url():
    url = "https://meetings.example.com/checkin/" + "x" * 32
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pagesize=(200, 200))
    draw_qr(c, url, 20, 20, 160)
    c.showPage()
    c.save()
    # render the page as a phone camera would see it, then read the code
    image = PdfDocument(buffer.getvalue())[0].render(scale=3).to_pil()
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
