"""SPEC §10–11: security headers on every response, links for the outside
world from PUBLIC_URL whatever the Host header, proxy headers trusted only
from the configured number of proxies, and no inline script to need them."""
from __future__ import annotations

import re
from pathlib import Path

from meetings import create_app
from meetings.extensions import db
from tests.conftest import jsonable, meeting_data

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _check(response):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_every_kind_of_response_carries_the_security_headers(client, org, make_meeting):
    meeting = make_meeting("approved")
    for response in (client.get("/login"), client.get("/healthz"), client.get("/nowhere"),
                     client.get("/api/v1/meetings"), client.post("/api/v1/auth/token", data=b"x"),
                     client.get(f"/checkin/{meeting.checkin_token}"), client.get("/api/v1/openapi.json")):
        _check(response)


def test_no_template_has_inline_script_or_event_handlers():
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path  # only <script src=…>
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= and friends
        assert "javascript:" not in html, path


def test_outside_links_use_public_url_whatever_the_host(app, org, api_as, client):
    app.config["PUBLIC_URL"] = "https://meetings.example.com"
    rep = api_as(org.rep)
    created = rep.post("/meetings", jsonable(meeting_data(org)), headers={"Host": "evil.example"})
    assert created.status_code == 201
    meeting = rep.get(f"/meetings/{created.json['id']}", headers={"Host": "evil.example"}).json
    assert meeting["checkin_url"].startswith("https://meetings.example.com/checkin/")
    assert "evil" not in meeting["checkin_url"]


def test_proxy_headers_are_trusted_only_from_configured_proxies(database_url, org):
    rep = org.rep.username
    db.session.close()
    seen = {}
    for proxies in (0, 1):
        app = create_app({"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                          "PROXY_COUNT": proxies, "LOGIN_FAILURES_PER_ADDRESS": 1,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})

        @app.route("/whoami")
        def whoami():
            from flask import request
            return request.remote_addr

        with app.app_context():
            seen[proxies] = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}).text
            db.session.remove()
    assert seen == {0: "127.0.0.1", 1: "203.0.113.9"}
    assert rep
