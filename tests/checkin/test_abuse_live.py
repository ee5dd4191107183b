"""The QR page under a script's attack, over real HTTP on loopback (issue 15
item 3): a live server of its own app on the test database, CSRF on as in
production, bounded request counts. No 500s, the per-address throttle answers
429 with Retry-After, the walk-in cap holds under a parallel burst, and
nothing is stored past it."""
from __future__ import annotations

import http.cookiejar
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine

from meetings import create_app
from meetings.checkin.models import CheckIn
from meetings.extensions import db
from meetings.types import utcnow
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.real_commits  # a live server of its own app reads what the test committed


class Phone:
    """One browser session: a cookie jar, the page's CSRF token, and posts."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
        html = self.opener.open(url, timeout=30).read().decode()
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(self, name: str, forwarded_for: str | None = None) -> tuple[int, dict]:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, "nonce": secrets.token_urlsafe(12),
                                       "doctor_id": "walk-in", "name": name, "title": "other"}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        if forwarded_for:
            request.add_header("X-Forwarded-For", forwarded_for)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 after a sign-in is the answer we count


@pytest.fixture
def attack(app, make_meeting):
    """A meeting open for sign-in (expected 15: the cap is 15) and a live
    server trusting one proxy, so a test can speak from many addresses."""
    meeting = make_meeting("approved", starts_at=utcnow() + timedelta(minutes=30))
    token, meeting_id = meeting.checkin_token, meeting.id
    db.session.commit()
    db.session.close()  # SQLite: the server takes the write lock for each sign-in
    live_app = create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "PROXY_COUNT": 1})
    server = LiveServer(live_app).start()
    yield f"{server.url}/checkin/{token}", meeting_id
    server.stop()


def _stored(meeting_id: int) -> int:
    db.session.close()
    return db.session.query(CheckIn).filter_by(meeting_id=meeting_id).count()


def test_a_script_on_one_address_is_throttled_and_the_cap_holds(attack):
    url, meeting_id = attack
    # The throttle counts in fixed 10-minute windows: the run starts at the
    # beginning of one (the clock ticking on), so it never crosses into the next.
    window = 600  # SELF_CHECKIN_WINDOW
    with time_machine.travel((int(time.time()) // window) * window + 1, tick=True):
        phone = Phone(url)
        answers = [phone.sign_in(f"脚本{n}", forwarded_for="198.51.100.7") for n in range(75)]
    codes = [code for code, _headers in answers]
    assert 500 not in codes
    assert codes[:15] == [303] * 15  # the walk-in cap (expected headcount, 15)
    assert set(codes[15:60]) == {422}  # "the list of walk-ins is full"
    assert codes[60:] == [429] * 15  # SELF_CHECKIN_PER_ADDRESS (60 per 10 minutes)
    assert all(int(headers["Retry-After"]) > 0 for code, headers in answers if code == 429)
    assert _stored(meeting_id) == 15


def test_a_parallel_burst_from_many_addresses_cannot_pass_the_cap(attack):
    url, meeting_id = attack
    phone = Phone(url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: phone.sign_in(f"来宾{n}", forwarded_for=f"10.0.{n}.1")[0], range(40)))
    assert 500 not in codes
    assert codes.count(303) == 15
    assert _stored(meeting_id) == 15
