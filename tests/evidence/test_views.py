"""What people see on the meeting page: the evidence, what it still lacks,
the upload (with and without script), the voids, the downloads."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from meetings.evidence.models import Attachment
from meetings.extensions import db
from tests.evidence.conftest import jpeg_bytes, pdf_bytes


def panel(page: str) -> str:
    return page.split('id="evidence"', 1)[1].split("</section>", 1)[0]


def test_no_evidence_panel_before_approval(make_meeting, login, org):
    page = login(org.rep).get(f"/meetings/{make_meeting('submitted').id}").get_data(as_text=True)
    assert 'id="evidence"' not in page


def test_the_owner_sees_the_upload_form_as_a_phone_camera_wants_it(make_meeting, login, org):
    page = login(org.rep).get(f"/meetings/{make_meeting('approved').id}").get_data(as_text=True)
    box = panel(page)
    assert re.search(r'<input[^>]*type="file"[^>]*accept="image/\*,application/pdf"[^>]*capture[^>]*multiple', box)
    assert 'id="evidence-progress"' in box and 'id="receipt-fields"' in box and "发票号码" in box
    assert '<script src="/static/evidence.js"></script>' in page and "<script>" not in page


def test_a_reader_sees_the_list_but_no_form(make_meeting, login, org, attach):
    meeting = make_meeting("approved")
    photo = attach(org.rep, meeting)
    db.session.commit()
    box = panel(login(org.pm).get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert 'id="evidence-upload"' not in box and f'id="attachment-{photo.id}"' in box
    assert "IMG_0001.jpg" in box and "作废" not in box


def test_upload_without_script_several_files_at_once(make_meeting, login, org):
    meeting = make_meeting("approved")
    client = login(org.staff)
    response = client.post(f"/meetings/{meeting.id}/attachments", data={
        "kind": "photo", "category": "", "amount": "", "invoice_no": "", "issued_on": "",
        "file": [(io.BytesIO(jpeg_bytes(color=(1, 1, 1))), "a.jpg"),
                 (io.BytesIO(jpeg_bytes(color=(2, 2, 2))), "b.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert [a.filename for a in db.session.scalars(select(Attachment).order_by(Attachment.id))] == ["a.jpg", "b.jpg"]


def test_the_scripts_upload_answers_json_in_words(make_meeting, login, org):
    meeting = make_meeting("approved")
    client = login(org.rep)
    made = client.post(f"/meetings/{meeting.id}/attachments/one", data={
        "kind": "receipt", "category": "meals", "amount": "300", "invoice_no": "778899",
        "issued_on": "2026-12-01", "file": (io.BytesIO(jpeg_bytes()), "fapiao.jpg")},
        content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert made.status_code == 201 and made.json["filename"] == "fapiao.jpg"
    refused = client.post(f"/meetings/{meeting.id}/attachments/one", data={
        "kind": "photo", "file": (io.BytesIO(b"not a picture"), "x.jpg")},
        content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert refused.status_code == 422 and refused.json["reason"] == "unsupported_file"
    assert refused.json["message"].startswith("文件：")  # words, not the field's code


def test_gaps_are_shown_until_the_evidence_is_complete(summarized, login, org, receipt, attach):
    meeting = summarized({"meals": "1500", "gifts": "0"})
    receipt(org.rep, meeting, "meals", "1100")
    db.session.commit()
    box = panel(login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert "餐费发票还差 400.00 元" in box and 'data-gap="photo"' in box
    receipt(org.rep, meeting, "meals", "400")
    attach(org.rep, meeting)
    db.session.commit()
    box = panel(login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert 'data-gap' not in box and "alert-success" in box


def test_void_from_the_page_and_download(make_meeting, login, org, attach):
    meeting = make_meeting("approved")
    scan = attach(org.staff, meeting, pdf_bytes(), kind="signin_scan", filename="sheet.pdf")
    db.session.commit()
    client = login(org.rep)
    box = panel(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert 'class="evidence-void' in box and "data-confirm=" in box
    file = client.get(f"/meetings/{meeting.id}/attachments/{scan.id}/file")
    assert file.status_code == 200 and file.data == pdf_bytes() and file.mimetype == "application/pdf"
    assert file.headers["Content-Disposition"].startswith("attachment;")
    assert client.post(f"/meetings/{meeting.id}/attachments/{scan.id}/void", data={"reason": "错误的签到表"}
                       ).status_code == 302
    box = panel(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert "错误的签到表" in box and "已作废" in box


def test_the_page_in_english(make_meeting, client, login, org):
    meeting = make_meeting("approved")
    client = login(org.rep)
    client.get("/lang/en")
    box = panel(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    assert "Evidence" in box and "Invoice number" in box


def test_the_demos_held_meeting_carries_its_evidence(app, client):
    from meetings.evidence.services import evidence_gaps, list_attachments
    from meetings.proposals.models import Meeting, Status

    assert app.test_cli_runner().invoke(args=["seed-demo", "--allow-production"]).exit_code == 0
    held = db.session.scalars(select(Meeting).where(Meeting.status == Status.summarized)).one()
    kinds = [a.kind.value for a in list_attachments(held) if not a.voided]
    assert kinds.count("receipt") == 3 and kinds.count("photo") == 2
    assert any(a.voided for a in list_attachments(held)) and evidence_gaps(held) == {}
    assert all(a.taken_at for a in list_attachments(held))
    client.post("/login", data={"username": "rep", "password": "demo-password"})
    box = panel(client.get(f"/meetings/{held.id}").get_data(as_text=True))
    assert "会场1.jpg" in box and "照片模糊" in box and "alert-success" in box
