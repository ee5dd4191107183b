from meetings.checkin import services
from meetings.checkin.signin_sheet import render, walk_in_rows
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
    assert "应到 Expected: 3" in text  # a backup standing by is listed, not expected
    assert backup.name in text and f"替补 Backup for {invited[0].name}" in text
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


def test_a_long_topic_is_printed_whole_beside_the_qr_code(org, meeting_with, doctors):
    topic = "新适应症解读：心衰患者的长期管理与随访（第二期）区域学术沙龙"
    meeting = meeting_with(doctors("C"), status="approved", topic=topic)
    _reader, text = text_of(render(meeting))
    assert topic in text and "扫码签到" in text


def _sections(text: str) -> tuple[str, str, str]:
    """The sheet's text cut into the expected rows, the backups and the walk-ins."""
    backups, walk_ins = text.index("替补 Backups（"), text.index("其他到会人员")
    return text[:backups], text[backups:walk_ins], text[walk_ins:]


def test_a_backup_standing_by_has_a_row_of_their_own_and_comes_as_an_invited_attendee(
        org, meeting_with, doctors):
    from meetings.pdf.base import local_time

    key, stayed_home, other = doctors("A", "A", "C")
    came, standing_by = doctors("A", "A")
    meeting = meeting_with([key, stayed_home, other], backups=[(came, key), (standing_by, stayed_home)],
                           status="in_progress")
    record, _ = services.check_in(org.staff, meeting, doctor_id=came.id, signature=png_data_url())
    services.check_in(org.staff, meeting, name="走访者", title="nurse")
    pdf = render(meeting)
    keep(pdf, "sheet-backups.pdf")
    reader, text = text_of(pdf)
    expected, backups, walk_ins = _sections(text)
    assert "应到 Expected: 3" in expected and "替补 Backups: 2" in expected
    assert came.name not in expected and standing_by.name not in expected
    # SPEC §4: the backup who came signs on their own row, marked, with the time: an invited
    # attendee, not one of the walk-ins
    [came_row] = [line for line in backups.splitlines() if came.name in line]
    assert f"替补 Backup for {key.name}" in came_row and local_time(record.checked_in_at, "%H:%M") in came_row
    [standing_row] = [line for line in backups.splitlines() if standing_by.name in line]
    assert f"替补 Backup for {stayed_home.name}" in standing_row
    assert came.name not in walk_ins and "走访者" in walk_ins
    assert sum(1 for page in reader.pages for _ in page.images) == 1  # the backup's signature


def test_a_promoted_backup_is_expected_and_a_declined_one_is_not_listed(org, meeting_with, doctors):
    from meetings.invitees import services as invitees

    key, other = doctors("A", "A")
    promoted, declined = doctors("A", "A")
    meeting = meeting_with([key, other], backups=[(promoted, key), (declined, other)])
    backup = next(i for i in meeting.invitees if i.doctor_id == declined.id)
    invitees.decline(org.rep, meeting, backup)
    invitees.decline(org.rep, meeting, next(i for i in meeting.invitees if i.doctor_id == key.id))
    _reader, text = text_of(render(meeting))
    assert "应到 Expected: 2" in text and "替补 Backups（" not in text
    assert promoted.name in text and key.name not in text and declined.name not in text


def test_the_sheets_qr_code_reads_back_as_the_self_sign_in_page(org, meeting_with, doctors):
    import zxingcpp
    from flask import url_for
    from pypdfium2 import PdfDocument

    meeting = meeting_with(doctors("C"), status="approved")
    pdf = render(meeting)
    image = PdfDocument(pdf)[0].render(scale=3).to_pil()  # as a phone camera would see the page
    codes = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert codes == [url_for("checkin.self_checkin", token=meeting.checkin_token, _external=True)]


def test_the_sheet_reads_its_rows_in_two_statements_whatever_the_size(org, meeting_with, doctors):
    from meetings.extensions import db
    from meetings.proposals.models import Meeting
    from tests.test_read_layer import counting

    meeting_ids = []
    for size in (3, 30):
        key, backup = doctors("A", "A")
        invited = doctors(*["C"] * size)
        meeting = meeting_with([key, *invited], backups=[(backup, key)], status="in_progress")
        for doctor in (invited[0], backup):
            services.check_in(org.staff, meeting, doctor_id=doctor.id, signature=png_data_url())
        services.check_in(org.staff, meeting, name="走访者", title="nurse")
        meeting_ids.append(meeting.id)
    db.session.commit()
    counts = []
    for meeting_id in meeting_ids:
        db.session.remove()  # as in a request: nothing loaded yet
        with counting() as seen:
            render(db.session.get(Meeting, meeting_id))
        rows = [s for s in seen if "FROM invitees" in s or "FROM checkins" in s]
        assert len(rows) == 2, rows  # the invitees with their doctors; the check-ins
        counts.append(len(seen))
    # with the meeting, its hospital, department and speaker for the header
    assert counts[0] == counts[1] <= 7, counts


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
    blank_rows = walk_in_rows(2)  # numbered rows for walk-ins to sign on paper
    assert f"\n{blank_rows}\n" in f"\n{text}\n"
    from meetings.proposals import services as proposals
    proposals.finish(org.staff, meeting)
    after = render(meeting)
    _reader, text = text_of(after)
    assert "实到 Present: 1" in text and "扫码签到" not in text
    assert f"\n{blank_rows}\n" not in f"\n{text}\n"  # no blank row left to fill in afterwards
    image = PdfDocument(after)[0].render(scale=3).to_pil()
    assert zxingcpp.read_barcodes(image) == []
