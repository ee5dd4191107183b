"""evidence_gaps(meeting): what the close gate will refuse on (SPEC §12)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from meetings.checkin import services as checkin
from meetings.evidence import services
from meetings.evidence.services import evidence_gaps
from meetings.types import utcnow
from tests.evidence.conftest import jpeg_bytes, pdf_bytes


def test_every_gap_of_a_summarized_meeting_without_evidence(summarized):
    meeting = summarized({"meals": "1500", "gifts": "500"})
    assert set(evidence_gaps(meeting)) == {"meals", "gifts", "photo"}


def test_receipts_of_a_category_must_add_up_to_its_actual_spend(summarized, org, receipt, attach, app):
    meeting = summarized({"meals": "1500", "gifts": "500"})
    attach(org.rep, meeting)  # a photo
    receipt(org.rep, meeting, "meals", "600")
    receipt(org.staff, meeting, "meals", "500")
    receipt(org.rep, meeting, "venue", "900")  # another category pays nothing here
    with app.test_request_context(), force_locale("zh"):
        gaps = evidence_gaps(meeting)
        assert gaps == {"meals": "餐费发票还差 400.00 元", "gifts": "礼品发票还差 500.00 元"}
    with app.test_request_context(), force_locale("en"):
        assert evidence_gaps(meeting)["meals"] == "Meals receipts are 400.00 元 short"
    receipt(org.rep, meeting, "meals", "400")
    receipt(org.rep, meeting, "gifts", "520")  # more than spent is fine
    assert evidence_gaps(meeting) == {}


def test_a_voided_receipt_covers_nothing(summarized, org, receipt, attach):
    meeting = summarized({"meals": "300"})
    attach(org.rep, meeting)
    paid = receipt(org.rep, meeting, "meals", "300")
    assert evidence_gaps(meeting) == {}
    services.void_attachment(org.rep, meeting, paid.id, "blurred")
    assert set(evidence_gaps(meeting)) == {"meals"}


def test_the_speaker_fee_needs_no_receipt_and_a_zero_line_nothing(summarized, org, attach):
    meeting = summarized({"meals": "0", "speaker_fee": "1000", "gifts": "0"},
                         budget={"lines": [{"category": "speaker_fee", "amount": "1000"},
                                           {"category": "meals", "amount": "100"}]})
    attach(org.rep, meeting)
    assert evidence_gaps(meeting) == {}


def test_a_paper_check_in_needs_the_scanned_sheet(make_meeting, org, make_doctor, attach):
    from meetings.extensions import db
    from meetings.summary.services import save_summary
    from tests.conftest import filled_summary

    meeting = make_meeting("held", primaries=[make_doctor(org.hospital, grade="C")])
    attach(org.rep, meeting)
    assert evidence_gaps(meeting) == {}
    paper, _created = checkin.check_in(org.staff, meeting, name="手写签到", title="resident", source="paper",
                                       checked_in_at=utcnow())
    save_summary(org.rep, meeting, **filled_summary(actual_spend=[{"category": "meals", "amount": "0"}]))
    db.session.commit()
    assert set(evidence_gaps(meeting)) == {"signin_scan"}
    scan = attach(org.staff, meeting, pdf_bytes(), kind="signin_scan")
    assert evidence_gaps(meeting) == {}
    services.void_attachment(org.staff, meeting, scan.id, "wrong sheet")
    assert set(evidence_gaps(meeting)) == {"signin_scan"}
    paper.voided_at = paper.recorded_at  # a mistaken paper entry, voided: it no longer counts
    db.session.flush()
    assert evidence_gaps(meeting) == {}


@pytest.mark.parametrize("minimum, photos, gap", [(1, 0, True), (1, 1, False), (2, 1, True), (0, 0, False)])
def test_at_least_the_configured_number_of_live_photos(summarized, org, attach, app, minimum, photos, gap):
    app.config["EVIDENCE_PHOTOS_MIN"] = minimum
    meeting = summarized({"meals": "0", "gifts": "0"})
    for n in range(photos):
        attach(org.rep, meeting, jpeg_bytes(color=(n, 0, 0)))
    voided = attach(org.rep, meeting, jpeg_bytes(color=(99, 0, 0)))
    services.void_attachment(org.rep, meeting, voided.id, "someone's face")
    assert ("photo" in evidence_gaps(meeting)) is gap
