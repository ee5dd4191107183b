"""`flask --app wsgi files gc`: the bodies no row names, listed, and removed
only when asked; a body a row names, or a young one, is never touched."""
from __future__ import annotations

import io

from meetings import files
from meetings.evidence import services
from tests.evidence.conftest import jpeg_bytes, pdf_bytes


def orphan(data: bytes):
    store = files.storage()
    spooled = files.spool(io.BytesIO(data), 2**20, store.spool_dir)
    store.put(spooled.body)
    return spooled.body.sha256


def test_gc_lists_then_removes_only_unreferenced_bodies(app, make_meeting, org):
    kept = services.add_attachment(org.rep, make_meeting("approved"), io.BytesIO(pdf_bytes()),
                                   filename="a.pdf", kind="other")
    lost = orphan(b"a body whose row never committed")
    left = files.storage().spool_dir / "spool-crashed"  # an upload whose process died mid-spool
    left.write_bytes(b"half a photo")
    runner = app.test_cli_runner()

    young = runner.invoke(args=["files", "gc"])
    assert young.exit_code == 0 and lost not in young.output and "0 bodies" in young.output

    listed = runner.invoke(args=["files", "gc", "--grace-minutes", "0"])
    assert listed.exit_code == 0, listed.output
    assert lost in listed.output and kept.sha256 not in listed.output and "1 bodies" in listed.output
    assert files.storage().exists(lost)  # listing removes nothing

    removed = runner.invoke(args=["files", "gc", "--grace-minutes", "0", "--remove"])
    assert removed.exit_code == 0 and "removed" in removed.output
    assert not files.storage().exists(lost) and files.storage().exists(kept.sha256)
    assert not left.exists()


def test_a_voided_attachment_keeps_its_body(app, make_meeting, org):
    meeting = make_meeting("approved")
    photo = services.add_attachment(org.rep, meeting, io.BytesIO(jpeg_bytes()), filename="p.jpg", kind="photo")
    services.void_attachment(org.rep, meeting, photo.id, "blurred")
    result = app.test_cli_runner().invoke(args=["files", "gc", "--grace-minutes", "0", "--remove"])
    assert result.exit_code == 0 and files.storage().exists(photo.sha256)
