from meetings.checkin import services
from meetings.checkin.signin_sheet import render
from tests.checkin.test_services import png_data_url
from tests.pdf_helpers import keep, text_of


def test_the_sheet_has_the_header_and_every_expected_invitee(org, meeting_with, doctors):
    invited = doctors("A", "C", "D")
    backup = doctors("A")[0]
    meeting = meeting_with(invited, backups=[(backup, invited[0])], status="in_progress",
                           topic="新适应症解读", venue="心内科示教室")
    services.check_in(org.staff, meeting, doctor_id=invited[1].id, meal_opt_in=True,
                      signature=png_data_url())
    services.check_in(org.staff, meeting, name="走访者", title="nurse")
    pdf = render(meeting)
    keep(pdf, "sheet-small.pdf")
    assert pdf.startswith(b"%PDF")
    reader, text = text_of(pdf)
    for expected in (org.hospital.name, org.department.name, "新适应症解读", "心内科示教室",
                     org.pm.display_name, "Page 1 of 1", "走访者", *(d.name for d in invited)):
        assert expected in text, expected
    assert backup.name not in text  # an unpromoted backup is not expected (and did not come)
    page = reader.pages[0]
    assert any(True for _ in page.images)  # the captured signature is drawn


def test_two_hundred_invitees_paginate_with_the_header_on_every_page(org, meeting_with, doctors):
    invited = doctors(*["C"] * 200)
    meeting = meeting_with(invited, status="draft", topic="二百人大会")
    pdf = render(meeting)
    keep(pdf, "sheet-200.pdf")
    reader, text = text_of(pdf)
    pages = len(reader.pages)
    assert 9 <= pages <= 14
    for index, page in enumerate(reader.pages, 1):
        page_text = page.extract_text()
        assert "二百人大会" in page_text and org.hospital.name in page_text
        assert f"Page {index} of {pages}" in page_text
        assert "签名\nSignature" in page_text  # the table head repeats
    for doctor in invited:
        assert doctor.name in text


def test_the_sheets_qr_code_reads_back_as_the_self_sign_in_page(org, meeting_with, doctors):
    import zxingcpp
    from flask import url_for
    from pypdfium2 import PdfDocument

    meeting = meeting_with(doctors("C"), status="approved")
    pdf = render(meeting)
    image = PdfDocument(pdf)[0].render(scale=3).to_pil()  # as a phone camera would see the page
    codes = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert codes == [url_for("checkin.self_checkin", token=meeting.checkin_token, _external=True)]


def test_the_sheet_reads_its_rows_in_a_fixed_number_of_statements(org, meeting_with, doctors):
    from meetings.extensions import db
    from meetings.proposals.models import Meeting
    from tests.test_read_layer import counting

    meeting_ids = []
    for size in (3, 30):
        meeting = meeting_with(doctors(*["C"] * size), status="approved")
        services.check_in(org.staff, meeting, doctor_id=meeting.invitees[0].doctor_id)
        meeting_ids.append(meeting.id)
    db.session.commit()
    counts = []
    for meeting_id in meeting_ids:
        db.session.remove()  # as in a request: nothing loaded yet
        with counting() as seen:
            render(db.session.get(Meeting, meeting_id))
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 10, counts


def test_after_the_meeting_the_sheet_is_the_record_no_qr_code_the_count_and_a_certification(
        org, meeting_with, doctors):
    import zxingcpp
    from pypdfium2 import PdfDocument

    invited = doctors("C", "D")
    meeting = meeting_with(invited, status="in_progress")
    services.check_in(org.staff, meeting, doctor_id=invited[0].id)
    before = render(meeting)
    _reader, text = text_of(before)
    assert "实到 Present: ________" in text and "以上签到真实有效" in text
    from meetings.proposals import services as proposals
    proposals.finish(org.staff, meeting)
    after = render(meeting)
    _reader, text = text_of(after)
    assert "实到 Present: 1" in text and "扫码签到" not in text
    image = PdfDocument(after)[0].render(scale=3).to_pil()
    assert zxingcpp.read_barcodes(image) == []
