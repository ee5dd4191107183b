"""A rep proposes a meeting through the pages, the provincial manager approves
it from the inbox: the whole of SPEC §3's happy path in a real browser."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals.models import Meeting, Status
from meetings.proposals.services import budget_period

pytestmark = pytest.mark.browser


def test_a_rep_proposes_and_the_provincial_manager_approves(org, make_doctor, live_server,
                                                           new_page, log_in):
    from playwright.sync_api import expect

    chief = make_doctor(org.hospital, grade="A", name="张主任")
    deputy = make_doctor(org.hospital, grade="A", name="李副主任", title="associate_chief_physician")
    make_doctor(org.hospital, grade="C", name="王医生", title="attending")
    starts = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=5)).replace(
        hour=8, minute=30, second=0, microsecond=0)
    ids = {"hospital": str(org.hospital.id), "department": str(org.department.id),
           "speaker": str(org.pm.id), "staff": str(org.staff.id),
           "chief": str(chief.id), "deputy": str(deputy.id)}
    db.session.commit()

    # -- the rep, on a phone
    rep = new_page(phone=True)
    log_in(rep, org.rep)
    rep.goto(f"{live_server.url}/meetings")
    rep.get_by_role("link", name="New proposal").first.click()
    rep.wait_for_url(re.compile(r"/meetings/new$"))
    rep.select_option("#hospital_id", ids["hospital"])
    rep.select_option("#department_id", ids["department"])
    rep.fill("#topic", "剂量调整答疑")
    rep.select_option("#purpose", "usage_dosage")
    rep.select_option("#audience", "prescribers")
    rep.select_option("#format", "in_department")
    rep.fill("#venue", "心内科示教室")
    rep.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    rep.fill("#expected_attendees", "15")
    rep.select_option("#speaker_id", ids["speaker"])
    rep.select_option("#staff_ids", [ids["staff"]])

    # the total and the warnings follow the typing (the rules answer from the server)
    rep.locator("#amount_meals").press_sequentially("1500")
    expect(rep.locator("#budget-total")).to_have_text("1500.00")
    expect(rep.locator("#preview-warnings")).to_contain_text("Meals draw attention")
    rep.fill("#amount_gifts", "500")
    rep.fill("#note_gifts", "资料袋")
    expect(rep.locator("#budget-total")).to_have_text("2000.00")
    # a headcount outside 10–20 is advice, shown at once
    rep.fill("#expected_attendees", "30")
    expect(rep.locator("#preview-warnings")).to_contain_text("30 expected attendees")
    rep.fill("#expected_attendees", "15")
    expect(rep.locator("#preview-warnings")).not_to_contain_text("expected attendees")
    for name in ("supply_channel_open", "department_head_agreed", "relations_ok"):
        rep.check(f"#{name}")
    rep.get_by_role("button", name="Save draft").click()
    rep.wait_for_url(re.compile(r"/meetings/\d+$"))
    meeting_url = rep.url
    expect(rep.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "draft")
    expect(rep.locator("#budget-total")).to_have_text("¥2,000")  # pages write money as ¥2,000
    expect(rep.locator("#starts-at")).to_have_text(starts.strftime("%Y-%m-%d %H:%M"))

    # invitees: an A-grade primary and an A backup for them
    rep.select_option("#doctor_id", ids["chief"])
    rep.select_option("#role", "primary")
    rep.get_by_role("button", name="Add", exact=True).click()
    expect(rep.locator("#invitee-list")).to_contain_text("张主任")
    rep.select_option("#doctor_id", ids["deputy"])
    rep.select_option("#role", "backup")
    rep.select_option("#backup_for", rep.locator("#backup_for option", has_text="张主任").get_attribute("value"))
    rep.get_by_role("button", name="Add", exact=True).click()
    backup_row = rep.locator("#invitee-list tr", has_text="李副主任")
    expect(backup_row).to_contain_text("Backup")
    expect(backup_row).to_contain_text("张主任")  # backup for
    expect(backup_row.locator("td").nth(1)).to_have_text("A")

    rep.get_by_role("button", name="Submit").click()
    expect(rep.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "submitted")
    expect(rep.get_by_role("button", name="Approve")).to_have_count(0)

    # -- the provincial manager, at a desk
    pm = new_page()
    log_in(pm, org.pm)
    pm.get_by_role("link", name="Approvals").click()
    row = pm.locator("tr", has_text="剂量调整答疑")
    expect(row).to_contain_text("¥2,000")
    row.get_by_role("button", name="Approve").click()
    pm.wait_for_url(meeting_url)
    expect(pm.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "approved")
    history = pm.locator("#history tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("Draft → Submitted")
    expect(history.nth(2)).to_contain_text("Submitted → Approved")
    expect(history.nth(2)).to_contain_text("Approved")
    expect(history.nth(2)).to_contain_text("provincial_manager user")  # who

    # the rep's phone shows the same on reload
    rep.reload()
    expect(rep.locator("#meeting-status [data-status]")).to_have_attribute("data-status", "approved")

    meeting = db.session.scalars(select(Meeting).where(Meeting.topic == "剂量调整答疑")).one()
    assert meeting.status == Status.approved and meeting.budget_total == Decimal("2000.00")
    assert [str(i.doctor_id) for i in meeting.invitees] == [ids["chief"], ids["deputy"]]
    pool = db.session.scalars(select(BudgetPool).filter_by(
        province_id=meeting.province_id, period=budget_period(meeting))).one()
    assert pool.spent == Decimal("2000.00")
    db.session.commit()
