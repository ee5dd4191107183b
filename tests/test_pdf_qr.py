"""The QR code on printed forms decodes back to its URL."""
import io

from reportlab.pdfgen import canvas as pdf_canvas

from meetings.pdf.qr import draw_qr


def test_the_drawn_qr_code_reads_back_as_its_url():
    import zxingcpp as zxing
    url = "https://meetings.example.com/checkin/" + "x" * 32
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pagesize=(200, 200))
    draw_qr(c, url, 20, 20, 160)
    c.showPage()
    c.save()
    from pypdfium2 import PdfDocument  # renders the page as a phone camera would see it
    image = PdfDocument(buffer.getvalue())[0].render(scale=3).to_pil()
    assert [r.text for r in zxing.read_barcodes(image)] == [url]
