"""Sign-in on the day (SPEC §5) in a real browser: staff tap invitees in and
add a walk-in, a doctor signs in on the QR page from a phone, and the meeting
page's attendance card shows the figures the API gives. The staff page's
offline queue uploads a sign-in taken without network exactly once."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meetings.checkin.models import CheckIn, Source
from meetings.extensions import db
from meetings.invitees import services as invitees
from meetings.proposals import services as proposals
from meetings.types import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting_today(org, make_meeting, make_doctor):
    """An approved meeting starting now: four primaries (two of them key, A and
    B) and the key ones' backups, who are not expected."""
    meeting = make_meeting("draft", topic="签到演练", venue="心内科示教室")
    people = {
        "zhang": make_doctor(org.hospital, grade="A", name="张主任"),
        "li": make_doctor(org.hospital, grade="B", name="李主任", title="associate_chief_physician"),
        "wang": make_doctor(org.hospital, grade="C", name="王医生", title="attending"),
        "zhao": make_doctor(org.hospital, grade="D", name="赵医生", title="attending"),
        "qian": make_doctor(org.hospital, grade="A", name="钱主任"),
        "sun": make_doctor(org.hospital, grade="B", name="孙主任", title="associate_chief_physician"),
    }
    primary = {}
    for key in ("zhang", "li", "wang", "zhao"):
        primary[key] = invitees.add_invitee(org.rep, meeting, doctor_id=people[key].id, role="primary")
    invitees.add_invitee(org.rep, meeting, doctor_id=people["qian"].id, role="backup",
                         backup_for=primary["zhang"].id)
    invitees.add_invitee(org.rep, meeting, doctor_id=people["sun"].id, role="backup",
                         backup_for=primary["li"].id)
    proposals.submit(org.rep, meeting)
    proposals.approve(org.pm, meeting)
    meeting.starts_at = utcnow() + timedelta(minutes=2)  # the QR page is open from 60 min before
    db.session.commit()
    return meeting, people


def _checkins(meeting, doctor=None) -> int:
    query = select(func.count()).select_from(CheckIn).where(CheckIn.meeting_id == meeting.id)
    if doctor is not None:
        query = query.where(CheckIn.doctor_id == doctor.id)
    count = db.session.scalar(query)
    db.session.commit()  # on SQLite a reading transaction holds the write lock: end it
    return count


def test_staff_taps_a_walk_in_and_a_phone_sign_in_add_up_on_the_meeting_page(
        org, meeting_today, live_server, new_page, log_in):
    from playwright.sync_api import expect

    meeting, people = meeting_today
    meeting_id, token = meeting.id, meeting.checkin_token
    ids = {key: str(doctor.id) for key, doctor in people.items()}
    username = org.staff.username
    db.session.commit()  # read everything the browser needs first: no open transaction after this

    # -- staff at the door, on a laptop
    staff = new_page()
    log_in(staff, org.staff)
    staff.goto(f"{live_server.url}/meetings/{meeting_id}/sign-in")
    expect(staff.locator("#expected")).to_have_text("4")
    expect(staff.locator("#present")).to_have_text("0")
    for key in ("zhang", "li"):
        row = staff.locator(f'.invitee[data-doctor-id="{ids[key]}"]')
        row.locator(".tap").click()  # one tap each
        expect(row).to_have_class(re.compile(r"\bsigned\b"))
        expect(row.locator(".state")).to_contain_text("✓")
        expect(row.locator(".tap")).to_be_disabled()
    expect(staff.locator("#present")).to_have_text("2")
    staff.fill("#wi-name", "刘护士")
    staff.select_option("#wi-title", "nurse")
    staff.get_by_role("button", name="Sign in walk-in").click()
    expect(staff.locator("#walk-ins")).to_contain_text("刘护士")
    expect(staff.locator("#present")).to_have_text("3")
    expect(staff.locator("#attended-invited")).to_have_text("2")
    expect(staff.locator("#queue-note")).to_be_hidden()
    expect(staff.locator("#wi-name")).to_have_value("")  # the form is ready for the next one

    # -- a doctor scans the QR code with their phone
    phone = new_page(phone=True)
    phone.goto(f"{live_server.url}/lang/en")
    phone.goto(f"{live_server.url}/checkin/{token}")
    expect(phone.locator("h1")).to_have_text("签到演练")
    names = phone.locator("#doctor_id option")
    expect(names).to_contain_text(["王医生", "赵医生"])  # those signed in already have left the list
    expect(phone.locator("#doctor_id")).not_to_contain_text("张主任")
    expect(phone.locator("#doctor_id")).not_to_contain_text("李主任")
    phone.select_option("#doctor_id", ids["wang"])
    expect(phone.locator("#walk-in")).to_be_hidden()
    box = phone.locator("#pad").bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.6)
    phone.mouse.down()
    for step in range(1, 13):
        phone.mouse.move(box["x"] + 20 + step * (box["width"] - 40) / 12,
                         box["y"] + box["height"] * (0.6 - 0.3 * (step % 2)), steps=3)
    phone.mouse.up()
    phone.check("input[name=meal_opt_in]")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(re.compile(rf"/checkin/{re.escape(token)}/thanks$"))
    expect(phone.locator(".done")).to_contain_text("Thank you, 王医生")
    expect(phone.locator(".done")).to_contain_text("staying for the meal")

    # the staff page picks the phone's sign-in up on its next refresh
    staff.reload()
    expect(staff.locator(f'.invitee[data-doctor-id="{ids["wang"]}"]')).to_have_class(re.compile(r"\bsigned\b"))
    expect(staff.locator("#present")).to_have_text("4")

    # -- the owner starts the meeting; its page shows the attendance card
    staff.goto(f"{live_server.url}/meetings/{meeting_id}")
    staff.locator("#actions button[value=start]").click()
    card = staff.locator("#attendance")
    expect(card).to_be_visible()
    shown = {name: card.locator(f'[data-figure="{name}"]').inner_text().strip()
             for name in ("expected", "present", "attended_invited", "key", "attendance_rate",
                          "accuracy_rate", "invited_attendance_rate", "key_attendance_rate")}
    assert shown == {"expected": "4", "present": "4", "attended_invited": "3", "key": "2 / 2",
                     "attendance_rate": "100%", "accuracy_rate": "75%",
                     "invited_attendance_rate": "75%", "key_attendance_rate": "100%"}

    # the API gives the same figures
    api = staff.context.request
    token_response = api.post(f"{live_server.url}/api/v1/auth/token",
                              data={"username": username, "password": PASSWORD})
    assert token_response.status == 200, token_response.text()
    figures = api.get(f"{live_server.url}/api/v1/meetings/{meeting_id}/attendance",
                      headers={"Authorization": f"Bearer {token_response.json()['token']}"})
    assert figures.status == 200, figures.text()
    assert figures.json() == {
        "expected": 4, "present": 4, "attended_invited": 3, "attendance_rate": 1.0,
        "accuracy_rate": 0.75, "invited_attendance_rate": 0.75, "key_expected": 2,
        "key_present": 2, "key_attendance_rate": 1.0}
    assert shown["present"] == str(figures.json()["present"])
    assert shown["attended_invited"] == str(figures.json()["attended_invited"])
    assert shown["expected"] == str(figures.json()["expected"])

    # what the database holds: one row each, with the source and the phone's extras
    rows = {c.name: c for c in db.session.scalars(select(CheckIn).where(CheckIn.meeting_id == meeting_id))}
    db.session.commit()
    assert sorted(rows) == sorted(["张主任", "李主任", "刘护士", "王医生"])
    assert {name: c.source for name, c in rows.items()} == {
        "张主任": Source.staff, "李主任": Source.staff, "刘护士": Source.staff, "王医生": Source.self}
    assert rows["刘护士"].doctor_id is None and rows["刘护士"].invitee_id is None
    assert rows["王医生"].meal_opt_in is True
    assert rows["王医生"].signature and rows["王医生"].signature.startswith(b"\x89PNG")


def test_a_sign_in_taken_offline_is_queued_and_uploaded_once(org, meeting_today, live_server,
                                                              new_page, log_in):
    from playwright.sync_api import expect

    meeting, people = meeting_today
    meeting_id, zhao = meeting.id, people["zhao"]
    zhao_id = str(zhao.id)
    db.session.commit()

    staff = new_page()
    log_in(staff, org.staff)
    staff.goto(f"{live_server.url}/meetings/{meeting_id}/sign-in")
    row = staff.locator(f'.invitee[data-doctor-id="{zhao_id}"]')
    expect(row.locator(".tap")).to_be_enabled()

    staff.context.set_offline(True)
    row.locator(".tap").click()
    expect(row).to_have_class(re.compile(r"\bpending\b"))
    expect(row.locator(".state")).to_contain_text("waiting to upload")
    expect(staff.locator("#queue-note")).to_have_text("+1 waiting to upload")
    expect(staff.locator("#net-status")).to_contain_text("Offline")
    queued = staff.evaluate(f"JSON.parse(localStorage.getItem('checkin-queue:{meeting_id}'))")
    assert len(queued) == 1 and queued[0]["doctor_id"] == zhao.id and queued[0]["nonce"]
    assert _checkins(meeting) == 0  # nothing reached the server

    staff.context.set_offline(False)  # the "online" event flushes the queue (or the 15 s refresh)
    expect(row).to_have_class(re.compile(r"\bsigned\b"), timeout=20_000)
    expect(staff.locator("#queue-note")).to_be_hidden()
    expect(staff.locator("#net-status")).to_be_hidden()
    expect(staff.locator("#present")).to_have_text("1")
    assert staff.evaluate(f"JSON.parse(localStorage.getItem('checkin-queue:{meeting_id}'))") == []

    # another "online" and a reload send nothing more
    staff.evaluate("window.dispatchEvent(new Event('online'))")
    staff.reload()
    expect(staff.locator(f'.invitee[data-doctor-id="{zhao_id}"]')).to_have_class(re.compile(r"\bsigned\b"))
    expect(staff.locator("#present")).to_have_text("1")
    assert _checkins(meeting, zhao) == 1
    assert _checkins(meeting) == 1
    record = db.session.scalars(select(CheckIn).where(CheckIn.meeting_id == meeting_id)).one()
    assert record.source == Source.staff and record.nonce == queued[0]["nonce"]
    db.session.commit()
