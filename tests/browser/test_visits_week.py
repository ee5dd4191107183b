"""The rep's week, the visit form and a follow-up asking "resolved?" on a
390 px phone (SPEC §15): nothing wider than the screen; a visit recorded
by tapping."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from meetings.demo import PASSWORD, seed_demo
from meetings.extensions import db
from meetings.followups.models import FollowUp
from meetings.visits.models import Visit
from tests.browser.crawl import MEASURE, sign_in

pytestmark = pytest.mark.browser


def test_the_week_and_the_visit_form_fit_a_phone(app, live_server, new_page):
    seed_demo()
    db.session.commit()
    task_ids = db.session.scalars(select(FollowUp.id).order_by(FollowUp.id)).all()
    db.session.commit()
    page = new_page(phone=True, locale="zh-CN")
    sign_in(page, live_server.url, "rep", PASSWORD)
    problems = []
    for path in ["/visits/week", "/visits/new", *[f"/followups/{i}" for i in task_ids[-3:]]]:
        page.goto(live_server.url + path)
        m = page.evaluate(MEASURE)
        if m["scrollWidth"] > m["innerWidth"]:
            problems.append(f"{path}: {m['scrollWidth']}px")
    page.goto(live_server.url + "/visits/week")
    assert page.locator("[data-overdue='1']").count() >= 1
    before = db.session.scalar(select(db.func.count(Visit.id)))
    db.session.commit()
    page.locator("a.btn-primary", has_text="记录拜访").first.click()
    page.fill("#f-purpose", "送文献")
    page.check("input[name=outcome][value=committed]")
    page.select_option("#f-stage", "trial")
    m = page.evaluate(MEASURE)
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"visit form: {m['scrollWidth']}px")
    page.click("main button[type=submit], form[method=post] button.btn-primary")
    page.wait_for_url(lambda url: url.endswith("/visits/week"))
    assert db.session.scalar(select(db.func.count(Visit.id))) == before + 1
    db.session.commit()
    manager = new_page(phone=True, locale="zh-CN")
    sign_in(manager, live_server.url, "pm", PASSWORD)
    manager.goto(live_server.url + "/visits/week")
    m = manager.evaluate(MEASURE)
    if m["scrollWidth"] > m["innerWidth"] or m["narrow"]:
        problems.append(f"manager week: {m}")
    assert not problems, problems
