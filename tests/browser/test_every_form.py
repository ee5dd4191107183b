"""Every form of every role, filled and submitted in a phone's browser the
way a person would (issue 9): type into the empty fields, pick from the
lists, press the form's button. Whatever is typed, the answer is a page —
the next one with a message, or the same form with the problem beside the
field — never a server error, never wider than the screen, never a code
where words belong. The demo organisation gives every form something to act on."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from meetings.demo import PASSWORD, seed_demo
from meetings.extensions import db
from meetings.types import to_local, utcnow
from tests.browser.crawl import MEASURE, crawl, pattern, sign_in

pytestmark = pytest.mark.browser

# Administrators last: they change other people's passwords.
ROLES = ("rep", "pm", "staff", "marketing", "rm", "admin")
# What a person types, by field name; anything else gets words.
TYPED = {
    "amount": "1000", "approval_limit": "6000", "potential": "120", "support": "40",
    "headcount": "20", "expected_attendees": "15", "planned_minutes": "5", "period": "2027-Q1",
    "password": "demo1234", "username": "newuser", "email": "someone@example.com",
    "answer": "按说明书减量使用", "comment": "请补充邀请名单",
}
# Forms that end a demo's story for everyone after (a person would rarely press them)
SKIP_ACTIONS = re.compile(r"/(cancel|reject|remove|logout)$|/lang/")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # supply_channel_open, in_progress …


def typed_for(name: str, kind: str) -> str:
    key = name.rsplit("-", 1)[-1]
    key = next((k for k in TYPED if key.startswith(k)), key)  # amount_meals → amount
    if kind == "datetime-local":
        return to_local(utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    if kind == "date":
        return to_local(utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    return TYPED.get(key, "测试内容")


def fill_like_a_person(form) -> None:
    for field in form.locator("input:visible, textarea:visible, select:visible").all():
        name = field.get_attribute("name") or ""
        if not name or field.is_disabled():
            continue
        tag = field.evaluate("e => e.tagName.toLowerCase()")
        kind = (field.get_attribute("type") or "text").lower()
        if tag == "select":
            options = field.locator("option").all()
            values = [o.get_attribute("value") for o in options if o.get_attribute("value")]
            if values and not field.input_value():
                field.select_option(values[0])
        elif kind in ("checkbox", "radio"):
            if not field.is_checked():
                field.check()
        elif kind not in ("submit", "button", "hidden", "file") and not field.input_value():
            field.fill(typed_for(name, kind))


def page_said_done(text: str) -> bool:
    return bool(text) and not any(word in text for word in ("不", "无", "须", "请", "未", "超过"))


def post_forms(page) -> list[tuple[int, str]]:
    """(index, action) of the page's POST forms that a person fills in."""
    forms = page.locator("main form[method=post], main form[method=POST]")
    out = []
    for i in range(forms.count()):
        action = forms.nth(i).get_attribute("action") or page.url
        # an upload with no file chosen is refused by the browser itself (no request is
        # sent): nothing a person types fills it; tests/evidence sends real files
        if forms.nth(i).locator("input[type=file][required]").count():
            continue
        if not SKIP_ACTIONS.search(action):
            out.append((i, action))
    return out


def test_every_form_submits_to_a_page_that_fits_the_phone(app, live_server, new_page):
    seed_demo()
    db.session.commit()
    problems, submitted, outcomes = [], set(), []
    for username in ROLES:
        page = new_page(phone=True, locale="zh-CN")
        sign_in(page, live_server.url, username, PASSWORD)
        for url in [u for u, _status in crawl(page, live_server.url)]:
            page.goto(url)
            for index, action in post_forms(page):
                kind = (pattern(url), pattern(action))
                if kind in submitted:
                    continue
                submitted.add(kind)
                page.goto(url)
                form = page.locator("main form[method=post], main form[method=POST]").nth(index)
                if not form.is_visible():
                    continue
                fill_like_a_person(form)
                buttons = [b for b in form.locator("button[type=submit]:visible, button:not([type]):visible").all()
                           if not SKIP_ACTIONS.search(b.get_attribute("formaction") or action)]
                if not buttons:
                    continue
                with page.expect_navigation():
                    buttons[0].click()
                where = f"{username} {url} → {action}"
                body = page.locator("main").inner_text()
                if "Internal Server Error" in body or "服务器内部错误" in body or page.title().startswith("500"):
                    problems.append(f"{where}: server error")
                m = page.evaluate(MEASURE)
                if m["scrollWidth"] > m["innerWidth"]:
                    problems.append(f"{where}: the answer is wider than the phone")
                shown = " ".join(page.locator("[role=alert], .invalid-feedback").all_inner_texts())
                outcomes.append((where, shown[:60]))
                if CODE.search(shown):
                    problems.append(f"{where}: a code in the message: {shown[:120]}")
    assert not problems, "\n".join(problems)
    assert len(submitted) > 25, sorted(submitted)
    saved = [o for o in outcomes if page_said_done(o[1])]
    assert len(saved) > len(outcomes) // 3, outcomes  # most forms, filled sensibly, go through
