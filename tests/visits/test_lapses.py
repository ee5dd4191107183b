"""A key doctor unvisited for twice their frequency: the rep's manager is
told, once per lapse (SPEC §15) — the job run at a moved clock."""
from datetime import timedelta

from sqlalchemy import select

from meetings.extensions import db
from meetings.jobs import run_job
from meetings.notifications.models import Notification
from meetings.types import utcnow
from meetings.visits import services

from .conftest import meeting_day, on


def visit(actor, doctor, day):
    with on(day):
        services.create_visit(actor, doctor_id=doctor.id, visited_at=utcnow(), minutes=15, purpose="拜访",
                              outcome="none", stage="aware")
        db.session.commit()


def lapses(user):
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == "visit_lapsed")
                                   .order_by(Notification.id)))


def run(day):
    with on(day, hour=9):
        return run_job("lapse_visits")


def test_the_manager_is_told_once_per_lapse_of_a_key_doctor(org, make_doctor, met):
    key, loyal, nurse = (make_doctor(org.hospital, "A"), make_doctor(org.hospital, "C"),
                         make_doctor(org.hospital, "B", title="nurse"))
    meeting = met(key, loyal, nurse)
    first = meeting_day(meeting) + timedelta(days=10)  # the follow-ups past due: all in the plan
    for doctor in (key, loyal, nurse):
        visit(org.rep, doctor, first)
    assert run(first + timedelta(days=13)) == {"lapsed": 0, "notified": 0}
    assert run(first + timedelta(days=14)) == {"lapsed": 1, "notified": 1}  # 2 × 7 days
    told = lapses(org.pm)
    assert len(told) == 1 and told[0].params["doctor"] == key.name and told[0].params["last"] == first.isoformat()
    assert lapses(org.rm) == [] and lapses(org.rep) == []
    assert run(first + timedelta(days=15)) == {"lapsed": 1, "notified": 0}  # the same lapse: told once
    visit(org.rep, key, first + timedelta(days=16))  # the lapse ends
    assert run(first + timedelta(days=17))["lapsed"] == 0
    assert run(first + timedelta(days=30)) == {"lapsed": 1, "notified": 1}  # a new lapse
    assert len(lapses(org.pm)) == 2
    # the grade C doctor (28 days, twice: 56) and the nurse are never key
    assert {n.params["doctor"] for n in lapses(org.pm)} == {key.name}


def test_a_key_doctor_never_visited_lapses_from_the_follow_up_due_date(org, make_doctor, met):
    key = make_doctor(org.hospital, "B")
    meeting = met(key)
    due = meeting_day(meeting) + timedelta(days=7)
    assert run(due + timedelta(days=13))["lapsed"] == 0
    assert run(due + timedelta(days=14)) == {"lapsed": 1, "notified": 1}
    assert lapses(org.pm)[0].params["last"] == "—"


def test_the_regional_manager_is_told_when_the_visitor_is_the_provincial_manager(org, make_doctor, met):
    key = make_doctor(org.hospital, "A")
    meeting = met(key, owner=org.pm)
    due = meeting_day(meeting) + timedelta(days=7)
    assert run(due + timedelta(days=14)) == {"lapsed": 1, "notified": 1}
    assert len(lapses(org.rm)) == 1 and lapses(org.pm) == []
