"""The private calendar feed (SPEC §9): an unguessable URL under PUBLIC_URL,
iCal of the user's upcoming meetings in local time, resettable, 404 otherwise."""
import re
from urllib.parse import urlsplit

from icalendar import Calendar

from meetings.auth.models import Role
from meetings.extensions import db
from meetings.proposals import services as proposals
from tests.conftest import PASSWORD
from tests.forms import fill

from ..reports.conftest import local


def feed(client, url):
    return client.get(urlsplit(url).path)


def events(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, calendar


def test_the_url_is_under_public_url_and_stays_the_same(app, org, api_as):
    app.config["PUBLIC_URL"] = "https://meetings.example.com/"
    first = api_as(org.rep).get("/calendar").json["url"]
    assert first.startswith("https://meetings.example.com/calendar/") and first.endswith(".ics")
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    assert api_as(org.rep).get("/calendar").json["url"] == first
    assert api_as(org.pm).get("/calendar").json["url"] != first


def test_without_public_url_the_request_host_is_used(org, api_as):
    assert api_as(org.rep).get("/calendar").json["url"].startswith("http://localhost/calendar/")


def test_the_feed_lists_upcoming_meetings_of_owner_speaker_staff_and_approvers(
        org, make_meeting, make_user, api_as, client, make_team):
    draft = make_meeting("draft", topic="草稿会")
    approved = make_meeting("approved", topic="已批会", starts_at=local(3, 14))
    cancelled = make_meeting("approved", topic="取消会")
    proposals.cancel(org.rep, cancelled)
    colleague = make_user(Role.rep, province=org.province)
    theirs = make_meeting("approved", owner=colleague, topic="同事会", speaker_id=None, staff_ids=[])
    other = make_team()
    db.session.commit()

    mine, calendar = events(feed(client, api_as(org.rep).get("/calendar").json["url"]))
    assert set(mine) == {"已批会"}  # not drafts, cancelled ones or colleagues'
    event = mine["已批会"]
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Shanghai" and (start.hour, start.minute) == (14, 0)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert calendar.walk("VTIMEZONE")
    assert "示教室" in str(event["location"]) and org.hospital.name in str(event["location"])
    assert str(event["url"]).endswith(f"/meetings/{approved.id}")

    speaker, _ = events(feed(client, api_as(org.pm).get("/calendar").json["url"]))
    assert set(speaker) == {"已批会", "同事会"}  # speaker of one, approver of the province's
    staff, _ = events(feed(client, api_as(org.staff).get("/calendar").json["url"]))
    assert set(staff) == {"已批会"}
    outsider, _ = events(feed(client, api_as(other.pm).get("/calendar").json["url"]))
    assert outsider == {}
    assert draft.id and theirs.id


def test_a_wrong_or_reset_token_is_404_and_no_login_is_needed(org, api_as, client):
    old = api_as(org.rep).get("/calendar").json["url"]
    assert feed(client, old).status_code == 200
    assert client.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    new = api_as(org.rep).post("/calendar/reset").json["url"]
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_the_calendar_page_shows_the_address_and_resets_it(org, client):
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    page = client.get("/calendar").get_data(as_text=True)
    db.session.refresh(org.rep)
    old = org.rep.calendar_token
    assert old in page
    assert 'action="/calendar/reset"' in page
    response = client.post("/calendar/reset", data=fill(page))
    assert response.status_code == 302
    db.session.refresh(org.rep)
    assert org.rep.calendar_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404


def test_the_calendar_page_has_a_copy_button_and_a_webcal_subscribe_link(org, client):
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    page = client.get("/calendar").get_data(as_text=True)
    db.session.refresh(org.rep)
    assert 'id="copy-feed"' in page and 'data-copy="#feed-url"' in page and "copy.js" in page
    link = re.search(r'id="subscribe" href="([^"]+)"', page)[1]
    assert link.startswith("webcal://") and link.endswith(f"{org.rep.calendar_token}.ics")
    assert "<script>" not in page  # no inline script (CSP)
