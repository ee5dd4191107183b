from decimal import Decimal

from meetings.extensions import db


def test_patch_changes_only_the_fields_sent(org, make_meeting, api_as):
    meeting = make_meeting()
    response = api_as(org.rep).patch(f"/meetings/{meeting.id}", json={"topic": "新适应症"})
    assert response.status_code == 200, response.json
    assert response.json["topic"] == "新适应症"
    db.session.expire_all()
    assert meeting.budget_total == Decimal("2000.00")  # lines untouched
    assert [u.id for u in meeting.staff] == [org.staff.id]
    assert meeting.relations_ok is True


def test_patch_still_validates_what_is_sent(org, make_meeting, api_as):
    meeting = make_meeting()
    response = api_as(org.rep).patch(f"/meetings/{meeting.id}", json={"expected_attendees": "x"})
    assert response.status_code == 422
    assert "expected_attendees" in response.json["errors"]
