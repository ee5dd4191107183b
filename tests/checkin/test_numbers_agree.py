"""SPEC §5's rules that keep a meeting's figures true: a walk-in signed in
twice is refused, a key seat counts once, and the summary's figures are the
record (issue 25, item 3)."""
from datetime import timedelta

import pytest
import time_machine

from meetings.checkin import services
from meetings.checkin.models import CheckIn
from meetings.extensions import db
from meetings.summary import services as summary
from tests.conftest import filled_summary


def count(meeting):
    return db.session.scalar(db.select(db.func.count()).select_from(CheckIn)
                             .where(CheckIn.meeting_id == meeting.id, CheckIn.voided_at.is_(None)))


# ---------------------------------------------------------------- duplicate walk-ins

def test_the_same_walk_in_twice_is_refused_unless_staff_confirm(org, meeting_with):
    meeting = meeting_with([], status="in_progress")
    services.check_in(org.staff, meeting, name="李医生", title="attending")
    with pytest.raises(services.DuplicateWalkIn) as refused:
        services.check_in(org.staff, meeting, name=" 李医生 ", title="attending")
    assert refused.value.http_status == 409 and refused.value.reason == "duplicate_walk_in"
    assert "李医生" in refused.value.message
    assert count(meeting) == 1
    # another title is another person; confirmed, the same name is too
    services.check_in(org.staff, meeting, name="李医生", title="resident")
    _second, created = services.check_in(org.staff, meeting, name="李医生", title="attending",
                                         same_name_ok=True)
    assert created and count(meeting) == 3
    figures = services.attendance(meeting)
    assert figures["present"] == 3


def test_a_walk_in_with_the_name_of_a_signed_in_invitee_is_refused(org, meeting_with, doctors):
    (doc,) = doctors("C")
    meeting = meeting_with([doc], status="in_progress")
    services.check_in(org.staff, meeting, doctor_id=doc.id)
    with pytest.raises(services.DuplicateWalkIn):
        services.check_in(org.staff, meeting, name=doc.name, title=doc.title.value)


def test_the_api_refuses_a_duplicate_walk_in_with_409(org, meeting_with, api_as):
    meeting = meeting_with([], status="in_progress")
    staff = api_as(org.staff)
    path = f"/meetings/{meeting.id}/checkins"
    assert staff.post(path, {"name": "赵医生", "title": "attending"}).status_code == 201
    again = staff.post(path, {"name": "赵医生", "title": "attending"})
    assert again.status_code == 409 and again.json["reason"] == "duplicate_walk_in"
    assert staff.post(path, {"name": "赵医生", "title": "attending", "same_name_ok": True}).status_code == 201
    attendance = staff.get(f"/meetings/{meeting.id}/attendance").json
    assert attendance["present"] == 2


def test_the_qr_page_tells_a_doctor_they_are_signed_in_already(client, org, meeting_with):
    meeting = meeting_with([], status="approved")
    url = f"/checkin/{meeting.checkin_token}"
    form = {"doctor_id": "walk-in", "name": "钱医生", "title": "attending"}
    with time_machine.travel(meeting.starts_at - timedelta(minutes=5), tick=False):
        assert client.post(url, data={**form, "nonce": "form-nonce-aaa1"}).status_code == 303
        # the same form again (a double tap) is the first record
        assert client.post(url, data={**form, "nonce": "form-nonce-aaa1"}).status_code == 303
        again = client.post(url, data={**form, "nonce": "form-nonce-bbb2"})
    assert again.status_code == 422
    assert "已签到" in again.get_data(as_text=True)
    assert count(meeting) == 1


# ---------------------------------------------------------------- key seats

def test_a_key_seat_counts_once_when_primary_and_backup_both_come(org, meeting_with, doctors):
    a1, a2, backup1, backup2 = doctors("A", "B", "A", "B")
    meeting = meeting_with([a1, a2], backups=[(backup1, a1), (backup2, a2)], status="in_progress")
    for doc in (a1, backup1):  # both of seat 1 came; seat 2 is empty
        services.check_in(org.staff, meeting, doctor_id=doc.id)
    figures = services.attendance(meeting)
    assert figures["key_expected"] == 2 and figures["key_present"] == 1
    services.check_in(org.staff, meeting, doctor_id=backup2.id)  # fills seat 2 for the absent a2
    figures = services.attendance(meeting)
    assert figures["key_present"] == 2 and figures["key_attendance_rate"] == 1.0
    assert figures["present"] == 3 and figures["attended_invited"] == 3


def test_key_present_never_exceeds_key_expected_in_reports(org, make_meeting, doctors, api_as):
    a1, backup1 = doctors("A", "A")
    meeting = make_meeting("held", primaries=[a1], backups=[(backup1, a1)], present=[a1, backup1])
    figures = services.attendance(meeting)
    assert (figures["key_expected"], figures["key_present"]) == (1, 1)
    rows = api_as(org.pm).get("/reports/meetings?group_by=province").json
    row = next(r for r in rows if r["key"]["id"] == org.province.id)
    assert row["key_present"] <= row["key_expected"] and row["key_attendance_rate"] == 1.0


# ---------------------------------------------------------------- figures locked

def test_after_the_summary_check_ins_are_neither_added_nor_voided(org, make_meeting, doctors, api_as):
    doc, late = doctors("C", "C")
    meeting = make_meeting("held", primaries=[doc, late], present=[doc])
    checkin = db.session.scalar(db.select(CheckIn).where(CheckIn.meeting_id == meeting.id))
    summary.save_summary(org.rep, meeting, **filled_summary())
    db.session.commit()
    before = services.attendance(meeting)
    with pytest.raises(services.FiguresLocked) as locked:
        services.void_checkin(org.staff, meeting, checkin.id, "签错了")
    assert locked.value.http_status == 409 and locked.value.reason == "figures_locked"
    with pytest.raises(services.FiguresLocked):
        services.check_in(org.staff, meeting, doctor_id=late.id, source="paper",
                          checked_in_at=meeting.starts_at)
    staff = api_as(org.staff)
    void = staff.post(f"/meetings/{meeting.id}/checkins/{checkin.id}/void", {"reason": "签错了"})
    assert void.status_code == 409 and void.json["reason"] == "figures_locked"
    paper = staff.post(f"/meetings/{meeting.id}/checkins",
                       {"doctor_id": late.id, "source": "paper",
                        "checked_in_at": meeting.starts_at.isoformat()})
    assert paper.status_code == 409 and paper.json["reason"] == "figures_locked"
    db.session.expire_all()
    assert services.attendance(meeting) == before


def test_doctor_titles_follow_the_readers_language_on_the_staff_page(client, org, meeting_with, doctors):
    from tests.conftest import PASSWORD

    (doc,) = doctors("C", title="chief_physician")
    meeting = meeting_with([doc], status="in_progress")
    db.session.commit()
    client.post("/login", data={"username": org.staff.username, "password": PASSWORD})
    assert "主任医师" in client.get(f"/meetings/{meeting.id}/sign-in").get_data(as_text=True)
    client.get("/lang/en")
    page = client.get(f"/meetings/{meeting.id}/sign-in").get_data(as_text=True)
    assert "Chief physician" in page and "主任医师" not in page
