from datetime import datetime, timezone
from decimal import Decimal

import pytest

from meetings.errors import ComplianceCapExceeded
from meetings.invitees import services as invitees
from meetings.proposals import services


def budget(total):
    return {"lines": [{"category": "venue", "amount": Decimal(total)}]}


def test_a_doctors_annual_share_is_capped(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    # share = total / expected_attendees: 1500/1 + 500/1 = 2000 = the cap, allowed
    first = make_meeting(expected_attendees=1, budget=budget("1500"),
                         starts_at=datetime(2027, 3, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, first, doctor_id=doctor.id, role="primary")
    second = make_meeting(expected_attendees=1, budget=budget("500"),
                          starts_at=datetime(2027, 6, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, second, doctor_id=doctor.id, role="primary")
    third = make_meeting(expected_attendees=100, budget=budget("1"),
                         starts_at=datetime(2027, 7, 1, 2, tzinfo=timezone.utc))
    with pytest.raises(ComplianceCapExceeded) as err:
        invitees.add_invitee(org.rep, third, doctor_id=doctor.id, role="primary")
    assert doctor.name in err.value.message and "2000" in err.value.message


def test_another_calendar_year_starts_afresh(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    last_year = make_meeting(expected_attendees=1, budget=budget("2000"),
                             starts_at=datetime(2027, 6, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, last_year, doctor_id=doctor.id, role="primary")
    next_year = make_meeting(expected_attendees=1, budget=budget("2000"),
                             starts_at=datetime(2028, 6, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, next_year, doctor_id=doctor.id, role="primary")


def test_cancelled_meetings_do_not_count(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    first = make_meeting(expected_attendees=1, budget=budget("2000"),
                         starts_at=datetime(2027, 6, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, first, doctor_id=doctor.id, role="primary")
    services.cancel(org.rep, first)
    again = make_meeting(expected_attendees=1, budget=budget("2000"),
                         starts_at=datetime(2027, 7, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, again, doctor_id=doctor.id, role="primary")


def test_submit_rechecks_the_cap_after_the_budget_grew(org, make_meeting, make_doctor):
    doctor = make_doctor(org.hospital, "C")
    meeting = make_meeting(expected_attendees=1, budget=budget("100"),
                           starts_at=datetime(2027, 6, 1, 2, tzinfo=timezone.utc))
    invitees.add_invitee(org.rep, meeting, doctor_id=doctor.id, role="primary")
    services.update_meeting(org.rep, meeting, budget=budget("2500"))
    with pytest.raises(ComplianceCapExceeded):
        services.submit(org.rep, meeting)
