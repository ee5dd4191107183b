"""Issue 32, 12: a hospital moved to another province, or a department to
another hospital, left its meetings visible where their hospital is not.
Refused (409) while meetings reference it, naming them."""
from __future__ import annotations

from meetings.doctors.models import Department, Hospital
from meetings.extensions import db


def test_a_hospital_with_meetings_keeps_its_province(org, api_as, make_meeting, make_province, caplog):
    meeting = make_meeting("approved")
    elsewhere = make_province()
    admin = api_as(org.admin)
    refused = admin.patch(f"/hospitals/{org.hospital.id}", {"province_id": elsewhere.id})
    assert refused.status_code == 409, refused.json
    assert refused.json["reason"] == "still_referenced" and "province_id" in refused.json["errors"]
    assert str(meeting.id) in refused.json["message"]
    assert any("refused moving hospital" in r.getMessage() for r in caplog.records)
    db.session.expire_all()
    assert db.session.get(Hospital, org.hospital.id).province_id == org.province.id
    assert admin.patch(f"/hospitals/{org.hospital.id}", {"city": "苏州"}).status_code == 200  # other edits


def test_a_department_with_meetings_keeps_its_hospital(org, api_as, make_meeting, make_hospital):
    meeting = make_meeting("draft")
    other = make_hospital(province=org.province)
    refused = api_as(org.admin).patch(f"/departments/{org.department.id}", {"hospital_id": other.id})
    assert refused.status_code == 409 and str(meeting.id) in refused.json["message"]
    db.session.expire_all()
    assert db.session.get(Department, org.department.id).hospital_id == org.hospital.id


def test_without_meetings_the_move_is_made_and_logged(org, api_as, make_province):
    elsewhere = make_province()
    moved = api_as(org.admin).patch(f"/hospitals/{org.hospital.id}", {"province_id": elsewhere.id})
    assert moved.status_code == 200 and moved.json["province_id"] == elsewhere.id
    from meetings.actionlog import ActionLogEntry
    entry = db.session.query(ActionLogEntry).filter_by(object_type="hospital", action="update").one()
    assert entry.after["province_id"] == elsewhere.id
