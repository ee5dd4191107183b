"""Browser fixtures, reusable by every browser test: a live server of its own
app on the test database, and Debian's chromium driven through Playwright.

    @pytest.mark.browser
    def test_something(org, live_server, new_page):
        db.session.commit()   # end the test's transaction before the browser acts
        page = new_page(phone=True)
        page.goto(live_server.url + "/login")

The live app is a second app on the same database as the `app` fixture (whose
SERVER_NAME="localhost" would not match 127.0.0.1:<port>), with CSRF on, as in
production. Create data through the usual factory fixtures and commit it; on
SQLite every transaction takes the write lock (meetings/database.py), so the
test must not hold one open while the browser works.

No chromium at /usr/bin/chromium: the test is skipped, or fails when
REQUIRE_BROWSER=1 (CI).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from meetings import create_app
from meetings.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="live-server")

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_app(app):
    """A second app on the test database (the `app` fixture empties it
    around each test), configured like production apart from the test key."""
    return create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"]})


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the venv has it
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page(phone=False) → a page in a fresh context (its own cookies)."""
    contexts = []

    def make(phone: bool = False, locale: str = "en-US"):
        context = chromium.new_context(locale=locale, **(PHONE if phone else DESKTOP))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    """log_in(page, user): the login form, in English (msgids) for stable texts."""
    from tests.browser.crawl import sign_in
    from tests.conftest import PASSWORD

    def go(page, user, password: str = PASSWORD):
        username = user if isinstance(user, str) else user.username
        db.session.commit()  # reading the user may have begun a transaction: end it
        page.goto(f"{live_server.url}/lang/en")
        sign_in(page, live_server.url, username, password)
    return go
