"""Confirm what cannot be undone (issue 25, item 6): cancelling or closing a
meeting asks once more on a page of its own (no script: the CSP allows none
inline); sign-in buttons wait, disabled, showing when sign-in opens."""
from __future__ import annotations

from datetime import timedelta

from meetings.extensions import db
from meetings.proposals.models import Status
from meetings.types import utcnow
from tests.forms import fill


def login(client, user):
    from tests.conftest import PASSWORD
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_cancelling_asks_first_and_changes_nothing_until_confirmed(client, org, make_meeting):
    meeting = make_meeting("approved")
    login(client, org.rep)
    path = f"/meetings/{meeting.id}/cancel"
    asked = client.post(path, data={"comment": "医院临时有检查"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确定取消会议" in html and "不能撤销" in html
    assert "<script>" not in html
    db.session.refresh(meeting)
    assert meeting.status == Status.approved
    done = client.post(path, data=fill(html))  # the confirm step's form: the last on the page
    assert done.status_code == 302
    db.session.refresh(meeting)
    assert meeting.status == Status.cancelled
    assert meeting.history[-1].comment == "医院临时有检查"  # the comment came through the confirm step


def test_closing_asks_first(client, org, make_meeting):
    from meetings.summary import services as summary
    from tests.conftest import filled_summary

    meeting = make_meeting("held")
    summary.save_summary(org.rep, meeting, **filled_summary())
    db.session.commit()
    login(client, org.rep)
    asked = client.post(f"/meetings/{meeting.id}/close", data={})
    assert asked.status_code == 200 and "确定结案" in asked.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.status == Status.summarized


def test_sign_in_buttons_wait_disabled_with_the_time_they_open(client, org, make_meeting):
    meeting = make_meeting("approved")  # three days ahead
    login(client, org.staff)
    detail = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="sign-in-opens"' in detail and "开放" in detail
    staff = client.get(f"/meetings/{meeting.id}/sign-in").get_data(as_text=True)
    assert 'id="opens-at"' in staff and "tap\" disabled" in staff
    meeting.starts_at = utcnow() + timedelta(minutes=30)  # within the hour before: open
    db.session.commit()
    detail = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    staff = client.get(f"/meetings/{meeting.id}/sign-in").get_data(as_text=True)
    assert 'id="sign-in-opens"' not in detail and f"/meetings/{meeting.id}/sign-in\"" in detail
    assert 'id="opens-at"' not in staff and "tap\" disabled" not in staff
