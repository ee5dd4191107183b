"""The service answers the pages ask for: which buttons to offer, the form's
live figures, the pickers' choices."""
from decimal import Decimal

from meetings.auth.models import Role
from meetings.invitees import services as invitees
from meetings.proposals import services
from meetings.proposals.models import Format, Status


def test_the_owner_is_offered_submit_and_cancel_on_a_draft(org, make_meeting):
    meeting = make_meeting()
    assert services.allowed_actions(org.rep, meeting) == ["submit", "cancel"]
    assert services.allowed_actions(org.pm, meeting) == ["cancel"]
    assert services.allowed_actions(org.staff, meeting) == []
    assert services.can_edit(org.rep, meeting) and not services.can_edit(org.pm, meeting)


def test_the_managers_are_offered_the_decision_the_owner_is_not(org, make_meeting):
    meeting = make_meeting(status="submitted")
    assert "approve" not in services.allowed_actions(org.rep, meeting)
    assert {"approve", "return", "reject"} <= set(services.allowed_actions(org.pm, meeting))
    assert {"approve", "return", "reject"} <= set(services.allowed_actions(org.rm, meeting))
    assert not services.can_edit(org.rep, meeting)


def test_only_the_regional_manager_decides_what_awaits_the_region(org, make_meeting):
    meeting = make_meeting(status="submitted", owner=org.pm)
    assert "approve" in services.allowed_actions(org.pm, meeting)  # passes it on
    assert "return" not in services.allowed_actions(org.pm, meeting)
    services.approve(org.pm, meeting)
    assert meeting.status == Status.pending_regional
    assert services.allowed_actions(org.pm, meeting) == ["cancel"]
    assert {"approve", "return", "reject"} <= set(services.allowed_actions(org.rm, meeting))


def test_who_runs_the_day_is_offered_start_then_finish(org, make_meeting):
    meeting = make_meeting(status="approved")
    assert "start" in services.allowed_actions(org.staff, meeting)
    assert "start" in services.allowed_actions(org.rep, meeting)
    assert "start" not in services.allowed_actions(org.rm, meeting)
    meeting = make_meeting(status="in_progress")
    assert services.allowed_actions(org.rep, meeting) == ["finish"]


def test_the_preview_adds_up_and_warns_without_writing(org):
    result = services.preview(org.rep, expected_attendees=15, format=Format.off_site,
                              speaker_id=org.pm.id, staff_ids=[org.staff.id],
                              budget={"lines": [{"category": "meals", "amount": Decimal("1500")},
                                                {"category": "gifts", "amount": Decimal("0.5")},
                                                {"category": "venue"}]})  # not parsed yet
    assert result["total"] == Decimal("1500.50")
    codes = [w.code for w in result["warnings"]]
    assert "off_site" in codes and "meals" in codes and "company_staff" not in codes
    assert result["errors"] == {}


def test_the_preview_names_a_broken_meal_cap(org):
    result = services.preview(org.rep, expected_attendees=2,
                              budget={"lines": [{"category": "meals", "amount": Decimal("601")}]})
    assert "budget" in result["errors"] and "300" in result["errors"]["budget"]
    assert services.preview(org.rep, expected_attendees=2, budget={"lines": [
        {"category": "meals", "amount": Decimal("600")}]})["errors"] == {}


def test_colleagues_are_the_province_and_its_regional_managers(org, make_user, make_province):
    elsewhere = make_user(Role.rep, province=make_province())
    people = services.colleagues(org.rep)
    ids = {u.id for u in people}
    assert {org.pm.id, org.staff.id, org.rm.id, org.rep.id} <= ids
    assert elsewhere.id not in ids and org.admin.id not in ids
    assert [h.id for h in services.proposal_hospitals(org.rep)] == [org.hospital.id]


def test_the_picker_offers_the_hospitals_doctors_not_yet_listed(org, make_meeting, make_doctor,
                                                                 make_hospital):
    meeting = make_meeting()
    listed = make_doctor(org.hospital)
    free = make_doctor(org.hospital)
    make_doctor(make_hospital(province=org.province))
    invitees.add_invitee(org.rep, meeting, doctor_id=listed.id, role="primary")
    assert [d.id for d in invitees.invitable_doctors(meeting)] == [free.id]
    assert invitees.can_manage(org.rep, meeting) and not invitees.can_manage(org.pm, meeting)
