"""Printed forms embed their font when PDF_FONT names a CJK TrueType font
(SPEC §11), and keep ReportLab's built-in STSong-Light otherwise."""
from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from meetings.extensions import db
from meetings.summary import services as summary

CANDIDATES = [  # Debian's packages: fonts-wqy-microhei (the image's), fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
CJK_FONT = next((p for p in CANDIDATES if Path(p).exists()), None)
needs_font = pytest.mark.skipif(CJK_FONT is None and not os.environ.get("REQUIRE_PDF_FONT"),
                                reason="no CJK TrueType font installed (apt-get install fonts-wqy-microhei)")

FORMS = ("proposal.pdf", "sign-in-sheet.pdf", "summary.pdf")


def fonts_of(pdf: bytes) -> list[dict]:
    """Every font a page of the PDF uses: its name and whether its file is embedded."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            f = ref.get_object()
            descriptors = [f.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in f.get("/DescendantFonts", [])]
            files = [key for d in descriptors if d is not None
                     for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in d.get_object()]
            found.append({"name": str(f["/BaseFont"]), "files": files})
    return found


@pytest.fixture
def printed(app, org, make_meeting, make_doctor, api_as):
    """printed() → the three forms of one summarized meeting, fetched over the API."""
    meeting = make_meeting("held", topic="新适应症解读", diners=5)
    summary.save_summary(org.rep, meeting, organization="会场布置顺利", feedback="主任认可",
                         actual_spend=[{"category": "meals", "amount": Decimal("1400")}])
    db.session.commit()
    api = api_as(org.rep)

    def fetch() -> dict[str, bytes]:
        out = {}
        for form in FORMS:
            response = api.get(f"/meetings/{meeting.id}/{form}")
            assert response.status_code == 200, form
            out[form] = response.data
        return out
    return fetch


@needs_font
def test_every_printed_form_embeds_the_configured_truetype_font(app, printed):
    app.config["PDF_FONT"] = CJK_FONT
    for form, pdf in printed().items():
        fonts = fonts_of(pdf)
        assert fonts, form
        for font in fonts:
            assert font["files"] == ["/FontFile2"], (form, font)
        assert "新适应症解读" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text(), form


def test_without_pdf_font_the_forms_use_the_builtin_cid_font(app, printed):
    app.config["PDF_FONT"] = None
    for form, pdf in printed().items():
        fonts = fonts_of(pdf)
        assert {f["name"] for f in fonts} == {"/STSong-Light"}, form
        assert all(not f["files"] for f in fonts), form


def test_a_pdf_font_that_is_not_a_file_stops_the_start(monkeypatch):
    from meetings.config import ConfigError, from_env

    monkeypatch.setenv("PDF_FONT", "/nonexistent/font.ttc")
    with pytest.raises(ConfigError, match="PDF_FONT"):
        from_env(require_secret=False)
