"""/api/v1/meetings/{id}/attachments (SPEC §10, §12)."""
from __future__ import annotations

import hashlib
import io

from meetings.auth.models import Role
from tests.evidence.conftest import jpeg_bytes, pdf_bytes


def post_file(api, meeting_id, data, filename="photo.jpg", **form):
    form = {"kind": "photo", **form}
    return api.client.post(f"/api/v1/meetings/{meeting_id}/attachments",
                           data={**form, "file": (io.BytesIO(data), filename)},
                           headers=api._headers(), content_type="multipart/form-data")


def test_upload_list_item_and_download(make_meeting, org, api_as):
    meeting = make_meeting("approved")
    api = api_as(org.rep)
    data = pdf_bytes()
    created = post_file(api, meeting.id, data, filename="签到表.pdf", kind="signin_scan")
    assert created.status_code == 201, created.json
    body = created.json
    assert {"id", "meeting_id", "kind", "filename", "content_type", "size", "sha256", "uploaded_by",
            "uploaded_at", "taken_at", "category", "amount", "invoice_no", "issued_on", "voided",
            "late_reason"} <= set(body)
    assert (body["kind"], body["content_type"], body["size"], body["voided"]) == (
        "signin_scan", "application/pdf", len(data), False)
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["uploaded_by"] == org.rep.id
    listed = api.get(f"/meetings/{meeting.id}/attachments")
    assert listed.status_code == 200 and [a["id"] for a in listed.json] == [body["id"]]
    assert api.get(f"/meetings/{meeting.id}/attachments/{body['id']}").json == body
    download = api.get(f"/meetings/{meeting.id}/attachments/{body['id']}/file")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    part = api.get(f"/meetings/{meeting.id}/attachments/{body['id']}/file", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == data[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(data)}"
    beyond = api.get(f"/meetings/{meeting.id}/attachments/{body['id']}/file",
                     headers={"Range": f"bytes={len(data) + 5}-"})
    assert beyond.status_code == 416


def test_a_receipt_through_the_api_and_its_duplicate(make_meeting, org, api_as):
    api = api_as(org.rep)
    first, second = make_meeting("approved"), make_meeting("approved")
    fields = {"kind": "receipt", "category": "meals", "amount": "1200.50", "invoice_no": "04400001",
              "issued_on": "2026-12-01"}
    made = post_file(api, first.id, jpeg_bytes(), **fields)
    assert made.status_code == 201, made.json
    assert (made.json["amount"], made.json["category"], made.json["issued_on"]) == ("1200.50", "meals", "2026-12-01")
    again = post_file(api, second.id, jpeg_bytes(color=(1, 1, 1)), **fields)
    assert again.status_code == 409 and again.json["reason"] == "duplicate_invoice"
    assert "invoice_no" in again.json["errors"]
    missing = post_file(api, second.id, jpeg_bytes(), kind="receipt", category="meals", amount="10")
    assert missing.status_code == 422 and "invoice_no" in missing.json["errors"]
    bad = post_file(api, second.id, jpeg_bytes(), kind="receipt", category="meals", amount="ten",
                    invoice_no="1", issued_on="2026-12-01")
    assert bad.status_code == 422 and "amount" in bad.json["errors"]


def test_unsupported_and_too_large_files_are_422(make_meeting, org, api_as, app):
    meeting = make_meeting("approved")
    api = api_as(org.staff)
    text = post_file(api, meeting.id, b"MZ\x90\x00 not an image", filename="scan.pdf")
    assert text.status_code == 422 and text.json["reason"] == "unsupported_file" and "file" in text.json["errors"]
    app.config["ATTACHMENT_MAX_BYTES"] = 2000
    big = post_file(api, meeting.id, pdf_bytes() + bytes(3000), kind="other")
    assert big.status_code == 422 and big.json["reason"] == "file_too_large"
    huge = post_file(api, meeting.id, bytes(200_000), kind="other")  # past the request's own bound
    assert huge.status_code == 422 and huge.json["reason"] == "file_too_large"
    nofile = api.client.post(f"/api/v1/meetings/{meeting.id}/attachments", data={"kind": "photo"},
                             headers=api._headers(), content_type="multipart/form-data")
    assert nofile.status_code == 422
    assert api.get(f"/meetings/{meeting.id}/attachments").json == []


def test_visibility_and_who_attaches(make_meeting, org, api_as, make_province, make_user):
    meeting = make_meeting("approved")
    stranger = make_user(Role.rep, province=make_province())
    assert post_file(api_as(stranger), meeting.id, jpeg_bytes()).status_code == 404
    assert api_as(stranger).get(f"/meetings/{meeting.id}/attachments").status_code == 404
    assert post_file(api_as(org.pm), meeting.id, jpeg_bytes()).status_code == 403
    made = post_file(api_as(org.rep), meeting.id, jpeg_bytes())
    for reader in (org.pm, org.rm, org.marketing, org.admin, org.staff):
        api = api_as(reader)
        assert api.get(f"/meetings/{meeting.id}/attachments").status_code == 200
        assert api.get(f"/meetings/{meeting.id}/attachments/{made.json['id']}/file").status_code == 200
    assert api_as(stranger).get(f"/meetings/{meeting.id}/attachments/{made.json['id']}/file").status_code == 404
    other = make_meeting("approved")
    assert api_as(org.rep).get(f"/meetings/{other.id}/attachments/{made.json['id']}").status_code == 404
    assert post_file(api_as(None), meeting.id, jpeg_bytes()).status_code == 401


def test_void_through_the_api(make_meeting, org, api_as):
    meeting = make_meeting("approved")
    made = post_file(api_as(org.rep), meeting.id, jpeg_bytes()).json
    path = f"/meetings/{meeting.id}/attachments/{made['id']}/void"
    assert api_as(org.pm).post(path, json={"reason": "x"}).status_code == 403
    assert api_as(org.rep).post(path, json={}).status_code == 422
    voided = api_as(org.admin).post(path, json={"reason": "duplicate photo"})
    assert voided.status_code == 200 and voided.json["voided"] is True
    assert voided.json["void_reason"] == "duplicate photo"
    assert api_as(org.rep).get(f"/meetings/{meeting.id}/attachments/{made['id']}/file").status_code == 200


def test_the_openapi_document_has_the_attachment_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/meetings/{meeting_id}/attachments",
                 "/api/v1/meetings/{meeting_id}/attachments/{attachment_id}",
                 "/api/v1/meetings/{meeting_id}/attachments/{attachment_id}/file",
                 "/api/v1/meetings/{meeting_id}/attachments/{attachment_id}/void"):
        assert path in paths, path
    post = paths["/api/v1/meetings/{meeting_id}/attachments"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
