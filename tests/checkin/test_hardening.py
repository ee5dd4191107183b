"""The public QR page is built to be abused (SPEC §5, issue 15 items 3 and 4):
walk-ins capped, declined invitees kept out, signatures decoded and
re-encoded, the sheet drawn defensively, mistaken check-ins voided."""
from __future__ import annotations

import base64
import io
import struct
import zlib
from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from meetings.checkin import services
from meetings.checkin.models import CheckIn
from meetings.errors import Forbidden, InvalidInput
from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.invitees import services as invitees
from meetings.types import utcnow
from tests.checkin.test_services import png_data_url


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def corrupt_png(width=300, height=100) -> bytes:
    """Chunks all valid (CRCs right, so Pillow's verify() passes) around image
    data that does not decode to the pixels the header promises."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    data = zlib.compress(b"\x00" * 50)  # far too little data for 300 × 100 RGBA rows
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


def as_data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_a_png_whose_image_data_is_corrupt_is_refused(org, meeting_with):
    with Image.open(io.BytesIO(corrupt_png())) as image:
        image.verify()  # the old check let it through
    meeting = meeting_with([], status="in_progress")
    with pytest.raises(InvalidInput) as err:
        services.check_in(org.staff, meeting, name="甲", title="other", signature=as_data_url(corrupt_png()))
    assert err.value.field == "signature"


def test_a_signature_is_re_encoded_and_bounded(org, meeting_with):
    meeting = meeting_with([], status="in_progress")
    sent = png_data_url((2400, 1200))
    checkin, _ = services.check_in(org.staff, meeting, name="甲", title="other", signature=sent)
    with Image.open(io.BytesIO(checkin.signature)) as image:
        image.load()
        assert image.mode == "LA" and image.size[0] <= 1200 and image.size[1] <= 600
    assert checkin.signature != base64.b64decode(sent.partition(",")[2])  # our bytes, not theirs


def test_the_sheet_draws_a_signature_that_no_longer_decodes_as_a_blank(org, meeting_with, client):
    from meetings.checkin.signin_sheet import render

    meeting = meeting_with([], status="in_progress")
    checkin, _ = services.check_in(org.staff, meeting, name="甲", title="other", signature=png_data_url())
    checkin.signature = corrupt_png()  # stored before signatures were re-encoded
    db.session.commit()
    assert render(meeting).startswith(b"%PDF")


def test_a_declined_invitee_cannot_sign_in_with_a_crafted_post(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc])
    invitees.decline(org.rep, meeting, meeting.invitees[0])
    db.session.commit()
    with time_machine.travel(meeting.starts_at, tick=False):
        assert doc.id not in [i.doctor_id for i in services.self_checkin_choices(meeting)]
        with pytest.raises(InvalidInput) as err:
            services.self_check_in(meeting.checkin_token, doctor_id=doc.id)
    assert err.value.field == "doctor_id"


def test_self_registered_walk_ins_are_capped_per_meeting(app, org, meeting_with):
    meeting = meeting_with([], expected_attendees=12)
    assert services.walk_in_cap(meeting) == 12
    with time_machine.travel(meeting.starts_at, tick=False):
        for n in range(12):
            services.self_check_in(meeting.checkin_token, name=f"来宾{n}", title="other")
        db.session.commit()
        with pytest.raises(services.WalkInsFull):
            services.self_check_in(meeting.checkin_token, name="多一位", title="other")
        # staff can still sign someone in by hand
        services.check_in(org.staff, meeting, name="多一位", title="other")
    db.session.commit()
    assert db.session.query(CheckIn).filter_by(meeting_id=meeting.id).count() == 13


def test_a_small_meeting_still_takes_ten_walk_ins(meeting_with):
    small = meeting_with([], expected_attendees=3,
                         budget={"lines": [{"category": "meals", "amount": "300"}]})
    assert services.walk_in_cap(small) == 10


# ---------------------------------------------------------------- void

def test_a_voided_check_in_leaves_the_figures_and_creates_no_follow_up(org, meeting_with, doctors, api_as):
    from meetings.proposals import services as proposals

    came, tapped_by_mistake = doctors("C", "C")
    meeting = meeting_with([came, tapped_by_mistake], status="in_progress")
    services.check_in(org.staff, meeting, doctor_id=came.id)
    mistake, _ = services.check_in(org.staff, meeting, doctor_id=tapped_by_mistake.id)
    walk_in, _ = services.check_in(org.staff, meeting, name="路人", title="other")
    db.session.commit()
    staff = api_as(org.staff)
    for checkin in (mistake, walk_in):
        response = staff.post(f"/meetings/{meeting.id}/checkins/{checkin.id}/void", {"reason": "点错了"})
        assert response.status_code == 200, response.json
        assert response.json["void_reason"] == "点错了" and response.json["voided_at"]
    assert staff.post(f"/meetings/{meeting.id}/checkins/{mistake.id}/void", {}).status_code == 422
    figures = staff.get(f"/meetings/{meeting.id}/attendance").json
    assert figures["present"] == 1 and figures["attended_invited"] == 1
    proposals.finish(org.rep, meeting)
    db.session.commit()
    visits = {(f.doctor_id, f.walk_in_name) for f in db.session.query(FollowUp).filter_by(kind="visit")}
    assert visits == {(came.id, None)}
    history = staff.get(f"/meetings/{meeting.id}").json["history"]
    assert [h["action"] for h in history].count("void") == 2
    # the doctor tapped by mistake can still sign in for real
    again, created = services.check_in(org.staff, meeting, doctor_id=tapped_by_mistake.id,
                                       source="paper", checked_in_at=utcnow())
    assert created and again.id != mistake.id


def test_only_those_who_run_the_meeting_void(org, meeting_with, make_user):
    meeting = meeting_with([], status="in_progress")
    checkin, _ = services.check_in(org.staff, meeting, name="甲", title="other")
    with pytest.raises(Forbidden):
        services.void_checkin(org.marketing, meeting, checkin.id, "no")


def test_voiding_after_the_follow_ups_were_made_withdraws_the_visit(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="in_progress")
    checkin, _ = services.check_in(org.staff, meeting, doctor_id=doc.id)
    from meetings.proposals import services as proposals
    proposals.finish(org.rep, meeting)
    db.session.commit()
    assert db.session.query(FollowUp).filter_by(kind="visit", doctor_id=doc.id).count() == 1
    services.void_checkin(org.staff, meeting, checkin.id, "签错了")
    db.session.commit()
    assert db.session.query(FollowUp).filter_by(kind="visit", doctor_id=doc.id).count() == 0


# ---------------------------------------------------------------- throttling

def test_the_qr_page_throttles_one_address_with_retry_after(app, client, meeting_with):
    app.config["SELF_CHECKIN_PER_ADDRESS"] = 5
    meeting = meeting_with([])
    url = f"/checkin/{meeting.checkin_token}"
    with time_machine.travel(meeting.starts_at + timedelta(minutes=1), tick=False):
        answers = [client.post(url, data={"doctor_id": "walk-in", "name": f"脚本{n}", "title": "other",
                                          "nonce": f"script-nonce-{n:04d}"}).status_code
                   for n in range(8)]
        refused = client.post(url, data={"doctor_id": "walk-in", "name": "再来", "title": "other"})
        other_address = client.post(url, data={"doctor_id": "walk-in", "name": "病房", "title": "other"},
                                    environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert answers == [303] * 5 + [429] * 3
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert other_address.status_code == 303
    assert db.session.query(CheckIn).filter_by(meeting_id=meeting.id).count() == 6
