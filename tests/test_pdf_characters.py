"""SPEC §11: any text prints. A character the forms' font lacks (an emoji) is
left out — never printed as itself — and never garbles the characters after
it; a long topic wraps instead of running into the next label (issue 25,
item 2). Checked on the three forms, with the built-in CID font and with an
embedded TrueType font."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from meetings.extensions import db
from meetings.pdf.base import printable
from meetings.summary import services as summary
from tests.pdf_helpers import keep
from tests.test_pdf_fonts import CJK_FONT, FORMS

FONTS = ["builtin"] + (["truetype"] if CJK_FONT else [])
LONG = ("😀 降压新药沙龙：高血压合并糖尿病患者的联合用药方案、剂量调整与不良反应管理，"
        "以及门诊随访中常见问题的处理 👨‍👩‍👧 第二部分")


def pages_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def forms(app, org, make_meeting, api_as):
    def fetch(topic: str, font: str) -> dict[str, bytes]:
        app.config["PDF_FONT"] = CJK_FONT if font == "truetype" else None
        meeting = make_meeting("held", topic=topic, venue="示教室 🏥 三楼", diners=5)
        summary.save_summary(org.rep, meeting, organization="顺利 👍🏽 完成", feedback="主任认可",
                             actual_spend=[{"category": "meals", "amount": Decimal("1400")}])
        db.session.commit()
        api = api_as(org.rep)
        out = {}
        for form in FORMS:
            response = api.get(f"/meetings/{meeting.id}/{form}")
            assert response.status_code == 200, form
            out[form] = response.data
            keep(response.data, f"{font}-{form}")
        return out
    yield fetch
    app.config["PDF_FONT"] = None


def test_printable_leaves_out_what_the_font_lacks_and_keeps_the_rest():
    assert printable("😀 降压新药沙龙") == "降压新药沙龙"
    assert printable("降压👨‍👩‍👧新药") == "降压新药"   # a joined sequence goes as a whole
    assert printable("赞👍🏽好") == "赞好"
    assert printable("阿依古丽·买买提 ✓") == "阿依古丽・买买提 √"  # look-alikes stay
    assert printable("A 😀 B") == "A B"


@pytest.mark.parametrize("font", FONTS)
def test_an_emoji_topic_never_garbles_the_forms(forms, font):
    for form, pdf in forms("😀 降压新药沙龙", font).items():
        text = pages_text(pdf)
        assert "降压新药沙龙" in text, (form, text[:300])
        assert "😀" not in text and "\ufffd" not in text, form
        assert "示教室" in text and "三楼" in text, form


@pytest.mark.parametrize("font", FONTS)
def test_a_long_topic_wraps_and_keeps_its_words(forms, font):
    for form, pdf in forms(LONG, font).items():
        flat = re.sub(r"\s+", "", pages_text(pdf))
        # the topic's words survive, in order, across the wrapped lines
        for words in ("降压新药沙龙", "联合用药方案", "剂量调整"):
            assert words in flat, (form, words)
        # the next label is still there, on its own line (not overrun by the topic)
        assert "时间" in flat and "地点" in flat, form
