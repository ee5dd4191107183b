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
