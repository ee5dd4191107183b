"""The pages issue 25 changed, at 390 px and 1366 px, on the demo
organisation: the budget pages and the dashboard fit a phone, and
SCREENSHOTS=/some/dir keeps a PNG of each for a look (never in git)."""
from __future__ import annotations

import os

import pytest

from meetings.demo import PASSWORD, seed_demo
from meetings.extensions import db
from tests.browser.crawl import MEASURE, sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "pm": ["/dashboard", "/reports/budgets", "/admin/budgets", "/meetings", "/meetings?q=医院",
           "/notifications", "/calendar"],
    "admin": ["/admin/provinces/1"],
    "staff": ["/meetings"],
}


def test_the_changed_pages_fit_a_phone_and_a_laptop(app, live_server, new_page):
    seed_demo()
    db.session.commit()
    folder = os.environ.get("SCREENSHOTS")
    problems = []
    for width in (390, 1366):
        for username, paths in PAGES.items():
            page = new_page(phone=width == 390, locale="zh-CN")
            page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
            sign_in(page, live_server.url, username, PASSWORD)
            page.goto(f"{live_server.url}/lang/zh")
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response.status < 500, path
                m = page.evaluate(MEASURE)
                if m["scrollWidth"] > m["innerWidth"]:
                    problems.append(f"{username} {path} at {width}: {m['scrollWidth']}px wide")
                if folder:
                    name = f"{width}-{username}{path.replace('/', '_').replace('?', '_')}.png"
                    page.screenshot(path=os.path.join(folder, name), full_page=True)
    assert not problems, "\n".join(problems)
