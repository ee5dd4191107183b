"""Grades cannot be gamed (issue 15 item 11): reps never change potential,
support or grades; what they may change about a doctor is audited."""
from __future__ import annotations


from meetings.actionlog import ActionLogEntry
from meetings.extensions import db


def test_a_rep_cannot_change_potential_support_or_grade(org, api_as, make_doctor):
    doctor = make_doctor(org.hospital, "A")
    rep = api_as(org.rep)
    for change in ({"potential": "10"}, {"support": "0"}, {"potential": "10", "support": "1"}):
        response = rep.patch(f"/doctors/{doctor.id}", change)
        assert response.status_code == 403, change
    assert rep.post(f"/doctors/{doctor.id}/grade", {"grade": "D", "reason": "x"}).status_code in (403, 404, 405)
    assert rep.get(f"/doctors/{doctor.id}").json["grade"] == "A"


def test_what_a_rep_may_change_is_recorded_with_old_and_new_values(org, api_as, make_doctor):
    doctor = make_doctor(org.hospital, "A", title="attending")
    response = api_as(org.rep).patch(f"/doctors/{doctor.id}", {"title": "chief_physician"})
    assert response.status_code == 200, response.json
    entry = db.session.query(ActionLogEntry).filter_by(object_type="doctor", object_id=doctor.id,
                                                       action="update").one()
    assert entry.actor_id == org.rep.id
    assert (entry.before, entry.after) == ({"title": "attending"}, {"title": "chief_physician"})


def test_an_admin_change_of_potential_is_recorded_too(org, api_as, make_doctor):
    doctor = make_doctor(org.hospital, "A")
    assert api_as(org.admin).patch(f"/doctors/{doctor.id}", {"potential": "20", "name": "新名字"}).status_code == 200
    entry = db.session.query(ActionLogEntry).filter_by(object_type="doctor", action="update").one()
    assert float(entry.before["potential"]) == 200
    assert entry.after["name"] == "changed"  # the field is named, the personal value is not kept
