"""The attachments' rules (SPEC §12), called as the API and the pages call them."""
from __future__ import annotations

import io
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from meetings import files
from meetings.actionlog import ActionLogEntry
from meetings.auth.models import Role
from meetings.errors import Conflict, Forbidden, InvalidInput
from meetings.evidence import services
from meetings.evidence.content import ImageTooLarge, UnsupportedFile
from meetings.evidence.models import Attachment
from meetings.extensions import db
from meetings.proposals import services as meetings
from tests.evidence.conftest import GPS_LATITUDE, jpeg_bytes, pdf_bytes, png_bomb, png_bytes, webp_bytes


def stored(attachment) -> bytes:
    return b"".join(files.storage().read(attachment.sha256))


# ---------------------------------------------------------------- who and when

@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_a_meeting_takes_attachments_only_once_approved(make_meeting, org, attach, status):
    meeting = make_meeting(status)
    with pytest.raises(Conflict):
        attach(org.rep, meeting)
    assert db.session.scalars(select(Attachment)).all() == []


def test_the_owner_and_the_provinces_staff_attach_from_approved_on(make_meeting, org, attach):
    meeting = make_meeting("approved")
    assert attach(org.rep, meeting).uploaded_by_id == org.rep.id
    assert attach(org.staff, meeting).uploaded_by_id == org.staff.id


def test_others_who_see_the_meeting_may_not_attach(make_meeting, org, attach, make_user):
    meeting = make_meeting("approved")
    other_staff = make_user(Role.staff, province=None)
    for user in (org.pm, org.rm, org.admin, org.marketing, other_staff):
        with pytest.raises(Forbidden):
            attach(user, meeting)


# ---------------------------------------------------------------- what a file is

@pytest.mark.parametrize("data", [b"plain text, not a picture", b"GIF89a" + bytes(100),
                                  jpeg_bytes()[:200], b"%PDF-1.7\nnot really a pdf",
                                  b"\x89PNG\r\n\x1a\n" + bytes(40)],
                         ids=["text", "gif", "truncated-jpeg", "fake-pdf", "broken-png"])
def test_a_file_is_judged_by_its_content(make_meeting, org, attach, data):
    meeting = make_meeting("approved")
    with pytest.raises(UnsupportedFile) as refused:
        attach(org.rep, meeting, data, filename="photo.jpg")
    assert refused.value.reason == "unsupported_file" and refused.value.field == "file"


@pytest.mark.parametrize("make_data, content_type, extension", [
    (jpeg_bytes, "image/jpeg", ".jpg"), (png_bytes, "image/png", ".png"),
    (webp_bytes, "image/webp", ".webp"), (pdf_bytes, "application/pdf", ".pdf")])
def test_pdf_jpeg_png_and_webp_are_accepted_whatever_their_name(make_meeting, org, attach, make_data,
                                                                 content_type, extension):
    meeting = make_meeting("approved")
    attachment = attach(org.rep, meeting, make_data(), kind="other", filename="C:\\scans\\会议.exe")
    assert attachment.content_type == content_type
    assert attachment.filename == "会议" + extension
    assert attachment.size == len(stored(attachment))


def test_a_pdf_is_stored_as_sent(make_meeting, org, attach):
    data = pdf_bytes(2)
    attachment = attach(org.rep, make_meeting("approved"), data, kind="signin_scan")
    assert stored(attachment) == data
    import hashlib
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_a_photo_loses_gps_exif_xmp_and_comments_but_keeps_its_capture_time(make_meeting, org, attach):
    data = jpeg_bytes(taken="2026:12:01 19:30:00")
    assert b"PhoneMaker" in data and b"GPSLatitude" in data and b"secret comment" in data
    attachment = attach(org.rep, make_meeting("approved"), data)
    body = stored(attachment)
    for trace in (b"PhoneMaker", b"GPSLatitude", b"secret comment", b"Exif", b"http://ns.adobe.com/xap"):
        assert trace not in body
    with Image.open(io.BytesIO(body)) as image:
        assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info
        assert image.size == (64, 48)
    # 19:30 on the phone's clock in Asia/Shanghai (no offset tag) is 11:30 UTC
    assert attachment.taken_at == datetime(2026, 12, 1, 11, 30, tzinfo=timezone.utc)


def test_a_capture_time_with_its_offset_is_read_at_that_offset(make_meeting, org, attach):
    attachment = attach(org.rep, make_meeting("approved"), jpeg_bytes(taken="2026:12:01 19:30:00",
                                                                       offset="+09:00"))
    assert attachment.taken_at == datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)


def test_a_photo_without_a_capture_time_has_none(make_meeting, org, attach):
    assert attach(org.rep, make_meeting("approved"), jpeg_bytes(taken=None)).taken_at is None


def test_a_photo_is_stored_upright_as_the_phone_meant_it(make_meeting, org, attach):
    attachment = attach(org.rep, make_meeting("approved"), jpeg_bytes(size=(64, 48), orientation=6))
    with Image.open(io.BytesIO(stored(attachment))) as image:
        assert image.size == (48, 64) and not image.getexif()


@pytest.mark.parametrize("make_data", [png_bytes, webp_bytes], ids=["png", "webp"])
def test_png_text_chunks_and_webp_exif_are_dropped(make_meeting, org, attach, make_data):
    attachment = attach(org.rep, make_meeting("approved"), make_data(), kind="other")
    body = stored(attachment)
    assert b"GPS" not in body and b"xmpmeta" not in body and b"eXIf" not in body and b"EXIF" not in body
    with Image.open(io.BytesIO(body)) as image:
        assert not image.getexif() and not getattr(image, "text", {})


def test_a_huge_png_is_refused_before_it_is_decoded(make_meeting, org, attach, app):
    bomb = png_bomb()
    assert len(bomb) < 200_000  # 400 million pixels in a small file
    meeting = make_meeting("approved")
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge) as refused:
        attach(org.rep, meeting, bomb, filename="bomb.png")
    assert refused.value.http_status == 422 and refused.value.field == "file"
    assert time.perf_counter() - started < 5
    # above our own limit or not, Pillow's bomb guard answers 422 too, never decodes it
    app.config["ATTACHMENT_MAX_PIXELS"] = 10**12
    with pytest.raises(ImageTooLarge):
        attach(org.rep, meeting, bomb, filename="bomb.png")
    assert db.session.scalars(select(Attachment)).all() == []


def test_an_image_over_the_pixel_limit_is_refused(make_meeting, org, attach, app):
    app.config["ATTACHMENT_MAX_PIXELS"] = 1000
    with pytest.raises(ImageTooLarge):
        attach(org.rep, make_meeting("approved"), jpeg_bytes(size=(64, 48)))


# ---------------------------------------------------------------- limits

def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing(make_meeting, org, attach, app):
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    meeting = make_meeting("approved")
    with pytest.raises(services.FileTooLarge) as refused:
        attach(org.rep, meeting, pdf_bytes() + bytes(2000))
    assert refused.value.field == "file" and refused.value.http_status == 422
    store = files.storage()
    assert list(store.spool_dir.iterdir()) == [] and list(store.list()) == []


def test_the_limit_per_meeting_counts_voided_attachments_too(make_meeting, org, attach, app):
    app.config["ATTACHMENT_MAX_PER_MEETING"] = 2
    meeting = make_meeting("approved")
    first = attach(org.rep, meeting, jpeg_bytes(color=(1, 2, 3)))
    attach(org.rep, meeting, jpeg_bytes(color=(4, 5, 6)))
    services.void_attachment(org.rep, meeting, first.id, "blurred")
    with pytest.raises(services.TooManyAttachments) as refused:
        attach(org.rep, meeting, jpeg_bytes(color=(7, 8, 9)))
    assert refused.value.http_status == 409
    assert attach(org.rep, make_meeting("approved"), jpeg_bytes(color=(7, 8, 9)))  # per meeting


# ---------------------------------------------------------------- receipts

def test_a_receipt_needs_its_category_amount_number_and_date(make_meeting, org, attach):
    meeting = make_meeting("approved")
    full = {"category": "meals", "amount": Decimal("300"), "invoice_no": "12345678",
            "issued_on": date(2026, 12, 1)}
    for missing in full:
        fields = {k: v for k, v in full.items() if k != missing}
        with pytest.raises(InvalidInput) as refused:
            attach(org.rep, meeting, kind="receipt", **fields)
        assert refused.value.field == missing
    for bad in ({"amount": Decimal("0")}, {"invoice_no": "12/34"}, {"issued_on": date(2099, 1, 1)},
                {"category": "wine"}):
        with pytest.raises(InvalidInput) as refused:
            attach(org.rep, meeting, kind="receipt", **{**full, **bad})
        assert refused.value.field == next(iter(bad))
    receipt = attach(org.rep, meeting, kind="receipt", **{**full, "invoice_no": " 1234 5678 "})
    assert (receipt.category.value, receipt.amount, receipt.invoice_no) == ("meals", Decimal("300.00"), "12345678")


def test_only_a_receipt_carries_receipt_fields(make_meeting, org, attach):
    with pytest.raises(InvalidInput) as refused:
        attach(org.rep, make_meeting("approved"), kind="photo", amount=Decimal("10"))
    assert refused.value.field == "amount"


def test_one_invoice_number_on_one_live_receipt_in_any_meeting(make_meeting, org, receipt, make_user):
    first = receipt(org.rep, make_meeting("approved"), invoice_no="04400123")
    other = make_meeting("approved")
    with pytest.raises(services.DuplicateInvoice) as refused:
        receipt(org.rep, other, invoice_no="0440 0123")
    assert refused.value.http_status == 409 and refused.value.reason == "duplicate_invoice"
    services.void_attachment(org.rep, first.meeting, first.id, "wrong meeting")
    assert receipt(org.rep, other, invoice_no="04400123").invoice_no == "04400123"


def test_the_database_refuses_a_duplicate_invoice_that_slips_past_the_check(make_meeting, org, receipt,
                                                                             monkeypatch):
    """Two uploads racing: both pass the check, the partial unique index
    refuses the second, which is a 409 duplicate_invoice (not a 500)."""
    receipt(org.rep, make_meeting("approved"), invoice_no="555")
    monkeypatch.setattr(services, "_check_invoice_free", lambda number: None)
    meeting = make_meeting("approved")
    with pytest.raises(services.DuplicateInvoice):
        receipt(org.rep, meeting, invoice_no="555")
    db.session.rollback()
    assert len(db.session.scalars(select(Attachment).where(Attachment.invoice_no == "555")).all()) == 1
    # a photo without an invoice number is no duplicate of anything
    assert services.list_attachments(meeting) == []


# ---------------------------------------------------------------- voiding

def test_a_void_needs_a_reason_keeps_the_row_and_body_and_is_logged(make_meeting, org, attach):
    meeting = make_meeting("approved")
    attachment = attach(org.rep, meeting)
    with pytest.raises(InvalidInput):
        services.void_attachment(org.rep, meeting, attachment.id, "  ")
    voided = services.void_attachment(org.staff, meeting, attachment.id, "照片模糊")
    assert voided.voided and voided.void_reason == "照片模糊" and voided.voided_by_id == org.staff.id
    assert services.list_attachments(meeting) == [attachment] and files.storage().exists(attachment.sha256)
    again = services.void_attachment(org.rep, meeting, attachment.id, "second")
    assert again.void_reason == "照片模糊"
    entry = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "void_attachment")).one()
    assert entry.object_id == attachment.id and entry.after["voided"] is True


def test_who_voids(make_meeting, org, attach):
    meeting = make_meeting("approved")
    attachment = attach(org.rep, meeting)
    for user in (org.pm, org.rm, org.marketing):
        with pytest.raises(Forbidden):
            services.void_attachment(user, meeting, attachment.id, "no")
    assert services.void_attachment(org.admin, meeting, attachment.id, "duplicate").voided


# ---------------------------------------------------------------- after close

def test_after_close_an_attachment_comes_only_with_a_late_reason_and_stays(summarized, org, attach, receipt):
    meeting = summarized({"meals": "100"})
    receipt(org.rep, meeting, "meals", "100")
    early = attach(org.rep, meeting)
    assert early.late_reason is None
    meetings.close(org.rep, meeting)
    with pytest.raises(InvalidInput) as refused:
        attach(org.rep, meeting, jpeg_bytes(color=(9, 9, 9)))
    assert refused.value.field == "late_reason"
    late = attach(org.staff, meeting, jpeg_bytes(color=(9, 9, 9)), kind="signin_scan",
                  late_reason="签到表原件今天才从科室取回")
    assert late.late and late.late_reason == "签到表原件今天才从科室取回"
    with pytest.raises(services.MeetingClosed):
        services.void_attachment(org.rep, meeting, early.id, "changed my mind")


# ---------------------------------------------------------------- storage and log

def test_the_body_is_stored_before_the_row_and_the_log_holds_ids_and_hashes(make_meeting, org, receipt):
    attachment = receipt(org.rep, make_meeting("approved"), "meals", "88.5", invoice_no="991")
    assert files.storage().exists(attachment.sha256)
    entry = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "attach")).one()
    assert entry.object_type == "attachment" and entry.object_id == attachment.id
    assert entry.after["sha256"] == attachment.sha256 and entry.after["amount"] == "88.50"
    assert "filename" not in entry.after and "receipt" not in str(entry.after.get("filename", ""))


def test_a_row_that_fails_after_its_body_was_stored_leaves_a_harmless_body(make_meeting, org, attach,
                                                                           monkeypatch):
    meeting = make_meeting("approved")
    monkeypatch.setattr(services, "log_action", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        attach(org.rep, meeting)
    db.session.rollback()
    assert db.session.scalars(select(Attachment)).all() == []
    orphans = list(files.unreferenced(grace=__import__("datetime").timedelta(0)))
    assert len(orphans) == 1


def test_the_same_bytes_are_stored_once(make_meeting, org, attach):
    meeting = make_meeting("approved")
    data = pdf_bytes()
    a, b = attach(org.rep, meeting, data, kind="other"), attach(org.rep, meeting, data, kind="other")
    assert a.sha256 == b.sha256 and len(list(files.storage().list())) == 1


def test_gps_never_reaches_storage(make_meeting, org, attach):
    meeting = make_meeting("approved")
    attach(org.rep, meeting, jpeg_bytes())
    attach(org.rep, meeting, png_bytes(), kind="other")
    attach(org.rep, meeting, webp_bytes(), kind="other")
    store = files.storage()
    for body in store.list():
        data = b"".join(store.read(body.sha256))
        assert b"GPS" not in data and b"Exif" not in data and str(GPS_LATITUDE[2]).encode() not in data
