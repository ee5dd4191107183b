"""What a person sees on the meeting pages (SPEC §3, §4)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
import re

from flask_babel import gettext, refresh
from sqlalchemy import func, select

from meetings.auth.models import Role
from meetings.extensions import db
from meetings.labels import field_label
from meetings.orgs.models import BudgetPool
from meetings.proposals.models import Meeting, Status
from meetings.proposals.services import budget_period


def local_start(days=3):
    # the form takes local time (Asia/Shanghai, +08:00) without an offset
    at = datetime.now(timezone(timedelta(hours=8))) + timedelta(days=days)
    return at.replace(minute=30, second=0, microsecond=0)


def form(org, **overrides):
    data = {
        "hospital_id": str(org.hospital.id), "department_id": str(org.department.id),
        "topic": "用法用量", "purpose": "usage_dosage", "audience": "prescribers",
        "format": "in_department", "venue": "示教室",
        "starts_at": local_start().strftime("%Y-%m-%dT%H:%M"), "expected_attendees": "15",
        "speaker_id": str(org.pm.id), "staff_ids": [str(org.staff.id)],
        "amount_meals": "1500", "note_meals": "盒饭", "amount_gifts": "500",
        "supply_channel_open": "on", "department_head_agreed": "on", "relations_ok": "on",
        "needs": "想了解剂量调整",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count_meetings():
    return db.session.scalar(select(func.count()).select_from(Meeting))


def test_the_form_creates_a_draft(org, login):
    client = login(org.rep)
    assert client.get("/meetings/new").status_code == 200
    response = client.post("/meetings/new", data=form(org))
    assert response.status_code == 302
    meeting = db.session.scalars(select(Meeting)).one()
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.status == Status.draft and meeting.owner_id == org.rep.id
    assert meeting.budget_total == Decimal("2000.00")
    assert [u.id for u in meeting.staff] == [org.staff.id]
    assert meeting.relations_ok and meeting.needs == "想了解剂量调整"
    # entered in local time, stored in UTC
    assert meeting.starts_at == local_start().astimezone(timezone.utc)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert local_start().strftime("%Y-%m-%d %H:%M") in page
    assert "¥2,000" in page and "盒饭" in page  # money for a Chinese reader: no ".00" noise


def test_bad_input_rerenders_with_the_field_named_and_saves_nothing(org, login):
    client = login(org.rep)
    response = client.post("/meetings/new", data=form(org, expected_attendees="many",
                                                      amount_gifts="lots", topic=None))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="expected_attendees"' in page and "不是整数" in page
    assert 'data-error-for="amount_gifts"' in page
    assert 'data-error-for="topic"' in page
    assert 'value="示教室"' in page  # what was typed stays
    assert count_meetings() == 0


def test_a_refused_proposal_rerenders_with_the_cap_and_saves_nothing(org, login):
    client = login(org.rep)
    response = client.post("/meetings/new", data=form(org, expected_attendees="10",
                                                      amount_meals="3000.10"))
    assert response.status_code == 422
    assert "300" in response.get_data(as_text=True)
    assert count_meetings() == 0


def test_a_forbidden_proposal_rerenders_with_its_status_and_saves_nothing(org, login):
    """Any refusal, not only bad input, comes back on the form as typed, with
    the refusal's own status (web.forms.attempt's FormErrors.status)."""
    response = login(org.staff).post("/meetings/new", data=form(org))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and 'value="示教室"' in page
    assert count_meetings() == 0


def test_the_preview_returns_total_warnings_and_errors(org, login):
    client = login(org.rep)
    response = client.post("/meetings/preview", data=form(org, expected_attendees="40",
                                                          format="off_site"))
    assert response.status_code == 200
    assert response.json["total"] == "2000.00"
    text = " ".join(response.json["warnings"])
    assert "预计到会 40 人" in text and "科室外会议" in text and "安排餐饮" in text
    assert not re.search(r"[a-z]+_[a-z]+", text)  # words, never field keys
    assert response.json["errors"] == {}
    capped = client.post("/meetings/preview", data=form(org, expected_attendees="2"))
    assert "budget" in capped.json["errors"]
    partial = client.post("/meetings/preview", data={"amount_gifts": "12.5", "amount_venue": "x"})
    assert partial.json["total"] == "12.50"
    assert "amount_venue" in partial.json["errors"]
    assert count_meetings() == 0


def test_the_preview_answers_json_even_when_refused_before_it_runs(app, org, login):
    client = login(org.rep)
    app.config["WTF_CSRF_ENABLED"] = True
    stale = client.post("/meetings/preview", data=form(org, csrf_token="stale"))
    assert stale.status_code == 400 and stale.mimetype == "application/json"
    page = client.post("/meetings/new", data=form(org, csrf_token="stale"))
    assert page.status_code == 400 and page.mimetype == "text/html"  # a page's refusal stays a page


def test_edit_changes_a_draft_only_for_its_owner(org, login, make_meeting, make_user):
    meeting = make_meeting()
    client = login(org.rep)
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 200
    response = client.post(f"/meetings/{meeting.id}/edit", data=form(org, topic="新适应症",
                                                                     amount_meals=None))
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.topic == "新适应症" and meeting.budget_total == Decimal("500.00")
    client = login(org.pm)
    response = client.get(f"/meetings/{meeting.id}/edit")
    assert response.status_code == 302  # the pm sees it but may not edit it


def test_a_rep_cannot_see_another_reps_meeting(org, login, make_meeting, make_user):
    meeting = make_meeting()
    other = make_user(Role.rep, province=org.province)
    client = login(other)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 404
    assert "用法用量" not in client.get("/meetings").get_data(as_text=True)


def test_the_list_filters_by_status(org, login, make_meeting):
    make_meeting(topic="草稿会议")
    make_meeting(status="submitted", topic="已提交会议")
    client = login(org.rep)
    page = client.get("/meetings?status=submitted").get_data(as_text=True)
    assert "已提交会议" in page and "草稿会议" not in page
    assert "草稿会议" in client.get("/meetings").get_data(as_text=True)


def test_the_approve_button_is_absent_for_the_rep(org, login, make_meeting):
    meeting = make_meeting(status="submitted")
    page = login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/approve" not in page
    assert f"/meetings/{meeting.id}/cancel" in page
    page = login(org.pm).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/approve" in page


def test_approve_through_the_inbox_draws_the_pool(org, login, make_meeting):
    meeting = make_meeting(status="submitted")
    client = login(org.pm)
    inbox = client.get("/meetings/inbox").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/approve" in inbox
    response = client.post(f"/meetings/{meeting.id}/approve", data={"comment": "同意"})
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.status == Status.approved
    pool = db.session.scalars(select(BudgetPool).filter_by(
        province_id=org.province.id, period=budget_period(meeting))).one()
    assert pool.spent == Decimal("2000.00")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "同意" in page and 'data-status="approved"' in page
    assert f"/meetings/{meeting.id}" not in client.get("/meetings/inbox").get_data(as_text=True)


def test_a_refused_action_is_flashed_on_the_page(org, login, make_meeting):
    meeting = make_meeting(status="submitted")
    client = login(org.pm)
    page_url = f"/meetings/{meeting.id}"
    response = client.post(f"{page_url}/return", data={"comment": ""},
                           headers={"Referer": f"http://localhost{page_url}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(page_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "alert-danger" in page and "comment" in page
    db.session.expire_all()
    assert meeting.status == Status.submitted


def test_submit_names_missing_backups_and_the_list_forms_fix_it(org, login, make_meeting,
                                                                 make_doctor):
    meeting = make_meeting()
    chief = make_doctor(org.hospital, grade="A", name="张主任")
    deputy = make_doctor(org.hospital, grade="A", name="李副主任")
    client = login(org.rep)
    url = f"/meetings/{meeting.id}"
    client.post(f"{url}/invitees", data={"doctor_id": str(chief.id), "role": "primary"})
    page = client.get(url).get_data(as_text=True)
    assert "张主任" in page and "李副主任" in page  # on the list, and offered in the picker
    client.post(f"{url}/submit", headers={"Referer": f"http://localhost{url}"})
    assert "张主任 (A)" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert meeting.status == Status.draft
    primary = meeting.invitees[0]
    client.post(f"{url}/invitees", data={"doctor_id": str(deputy.id), "role": "backup",
                                         "backup_for": str(primary.id)})
    client.post(f"{url}/submit")
    db.session.expire_all()
    assert meeting.status == Status.submitted
    client.post(f"{url}/invitees/{primary.id}/decline")
    db.session.expire_all()
    backup = meeting.invitees[1]
    assert backup.role.value == "primary" and backup.promoted_at is not None
    assert gettext("promoted") in client.get(url).get_data(as_text=True)


def test_submit_with_nobody_invited_says_so_in_the_pages_language(org, login, make_meeting, make_doctor):
    meeting = make_meeting()
    client = login(org.rep)
    url = f"/meetings/{meeting.id}"
    refresh()  # the test's app context cached the factory's locale; each request has its own
    response = client.post(f"{url}/submit", headers={"Referer": f"http://localhost{url}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "alert-danger" in page and "至少要有一位未婉拒的主邀医生" in page
    client.get("/lang/en")
    refresh()
    client.post(f"{url}/submit", headers={"Referer": f"http://localhost{url}"})
    assert "at least one primary invitee who has not declined" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert meeting.status == Status.draft
    client.post(f"{url}/invitees", data={"doctor_id": str(make_doctor(org.hospital, "C").id),
                                         "role": "primary"})
    client.post(f"{url}/submit")
    db.session.expire_all()
    assert meeting.status == Status.submitted


def test_the_pages_need_a_login(client, org, make_meeting):
    meeting = make_meeting()
    assert client.get(f"/meetings/{meeting.id}").status_code == 302
    assert client.post(f"/meetings/{meeting.id}/submit").status_code == 302
    db.session.expire_all()
    assert meeting.status == Status.draft


def test_the_meeting_page_links_the_printable_proposal(org, login, make_meeting, make_province, make_user):
    meeting = make_meeting("submitted")
    client = login(org.pm)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    tools = page.split('aria-label="', 1)[1] if 'aria-label="' in page else page
    assert f'href="/meetings/{meeting.id}/proposal.pdf"' in tools
    response = client.get(f"/meetings/{meeting.id}/proposal.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    stranger = make_user("provincial_manager", province=make_province())
    assert login(stranger).get(f"/meetings/{meeting.id}/proposal.pdf").status_code == 404
    client.post("/logout")
    assert client.get(f"/meetings/{meeting.id}/proposal.pdf").status_code in (302, 401)


def test_a_bad_invitee_post_comes_back_in_words_and_writes_nothing(org, login, make_meeting, make_doctor):
    """The add form parses with the API's schema (web.forms.attempt): a bad id
    or a refused backup is a message naming the field in words, and no row."""
    meeting = make_meeting()
    chief = make_doctor(org.hospital, grade="A", name="张主任")
    client = login(org.rep)
    url = f"/meetings/{meeting.id}"
    refresh()
    response = client.post(f"{url}/invitees", data={"doctor_id": "abc", "role": "primary"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "alert-danger" in page and "doctor_id:" not in page and "Not a valid" not in page
    assert f"{field_label('doctor_id')}：" in page
    client.post(f"{url}/invitees", data={"doctor_id": str(chief.id), "role": "backup"})  # backing up nobody
    assert "alert-danger" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert meeting.invitees == []


def test_every_field_is_checked_in_one_pass(org, login):
    """A start in the past is reported with the other errors, not after they
    are fixed (issue 25): the schema's refusals and the domain's checks of
    the fields it accepted come back together, beside their fields."""
    client = login(org.rep)
    past = (local_start(days=-2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/meetings/new", data=form(org, topic="", starts_at=past, amount_gifts="x"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("topic", "starts_at", "amount_gifts"):
        assert f'data-error-for="{field}"' in page, field
    assert "开始时间必须在将来" in page
    assert count_meetings() == 0


def test_the_api_names_fields_by_their_labels_in_its_message(org, api_as):
    """§10's error shape: `errors` keyed by the field names (for machines),
    the `message` in words with the fields' labels, in the request's language."""
    client = api_as(org.rep)
    body = client.post("/meetings", {"topic": "", "expected_attendees": "many"},
                       headers={"Accept-Language": "zh"}).json
    assert body["code"] == 422 and set(body) >= {"code", "status", "message", "errors"}
    assert "topic" in body["errors"] and "expected_attendees" in body["errors"]
    assert "会议主题：" in body["message"] and "预计到会人数：" in body["message"]
    assert not re.search(r"[a-z]+_[a-z]+", body["message"])
