"""Every page of every role on a 390×844 phone (issue 9): no page wider than
the screen, no table cell squeezed below three characters. The pages are
those a person reaches by following links from the start page, on the demo
organisation (meetings in every state of the everyday loop)."""
from __future__ import annotations

import pytest

from meetings.demo import PASSWORD, seed_demo
from meetings.extensions import db
from tests.browser.crawl import MEASURE, crawl, sign_in

pytestmark = pytest.mark.browser

ROLES = ("rep", "pm", "rm", "staff", "marketing", "admin", "compliance")


def test_every_page_fits_a_phone(app, live_server, new_page):
    seed_demo()
    db.session.commit()
    problems, visited = [], {}
    for username in ROLES:
        page = new_page(phone=True, locale="zh-CN")
        sign_in(page, live_server.url, username, PASSWORD)
        for url, status in crawl(page, live_server.url):
            visited.setdefault(username, []).append(url)
            assert status < 500, f"{username}: {url} answered {status}"
            m = page.evaluate(MEASURE)
            if m["scrollWidth"] > m["innerWidth"]:
                problems.append(f"{username} {url}: {m['scrollWidth']}px wide on a {m['innerWidth']}px screen")
            if m["narrow"]:
                problems.append(f"{username} {url}: cells narrower than three characters: {m['narrow'][:5]}")
    assert not problems, "\n".join(problems)
    # the crawl really went round the everyday loop
    assert any("/meetings/inbox" in u for u in visited["pm"])
    assert any(u.endswith("/summary") for u in visited["rep"])
    assert any("/questions" in u for u in visited["marketing"])
    assert any("/sign-in" in u for u in visited["staff"])
    assert any("/compliance" in u for u in visited["compliance"])
    assert sum(len(v) for v in visited.values()) > 60
