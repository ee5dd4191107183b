"""Notifications are kept as a kind and its parameters and put into words
when read, in the reader's language (SPEC §8, issue 9)."""
from __future__ import annotations

from flask_babel import force_locale, refresh

from meetings.extensions import db
from meetings.notifications import services
from meetings.notifications.messages import words
from meetings.notifications.models import Notification
from tests.conftest import PASSWORD


def test_the_words_follow_the_readers_language(app, org):
    params = {"topic": "用法用量", "hospital": "一院", "reconfirm": ["王建国", "李明"],
              "unticked": [{"key": "projector"}, {"label": "签到笔"}]}
    services.tell(org.rep, "reminder:meeting:1", "day_before", params, link="/meetings/1")
    note = db.session.query(Notification).one()
    assert note.kind == "day_before" and note.params == params
    with app.test_request_context(), force_locale("en"):
        english = note.words
    with app.test_request_context(), force_locale("zh"):
        chinese = note.words
    assert english.subject == "Tomorrow: 用法用量 at 一院"
    assert english.lines == ["Re-confirm these key invitees:", "· 王建国", "· 李明",
                             "Not ticked on the checklist yet:", "· Projector", "· 签到笔"]
    assert chinese.subject.startswith("明天") and "· 投影仪" in chinese.lines


def test_codes_in_parameters_become_words(app, org):
    with app.test_request_context(), force_locale("zh"):
        w = words("followup_overdue", {"kind": {"code": "gift_delivery", "kind": "FollowUpKind"},
                                       "person": "王建国", "assignee": "周代表",
                                       "hospital": "一院", "topic": "T", "due": "2026-12-01"})
    assert "送礼品" in w.subject and "gift_delivery" not in w.subject


def test_no_comment_no_comment_line(app):
    with app.test_request_context(), force_locale("en"):
        assert words("proposal_rejected", {"topic": "T", "comment": ""}).lines == []
        assert words("proposal_rejected", {"topic": "T", "comment": "太贵"}).lines == ["Comment: 太贵"]


def test_the_inbox_shows_lines_as_a_list_and_the_menu_counts_unread(client, org):
    services.tell(org.rep, "reminder:meeting:1", "day_before",
                  {"topic": "用法用量", "hospital": "一院", "reconfirm": ["王建国"], "unticked": []})
    db.session.commit()
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    refresh()
    page = client.get("/meetings").get_data(as_text=True)
    assert 'id="unread-count"' in page and 'id="unread-phone"' in page
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "<li>· 王建国</li>" in inbox and "明天：一院 用法用量" in inbox
    client.get("/lang/en")
    refresh()
    assert "Tomorrow: 用法用量 at 一院" in client.get("/notifications").get_data(as_text=True)


def test_mark_all_read_on_the_page_and_the_api(client, org, api_as):
    for n in range(3):
        services.notify(org.rep, f"test:{n}", f"第{n}条")
    services.notify(org.pm, "test:other", "别人的")
    db.session.commit()
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    inbox = client.get("/notifications").get_data(as_text=True)
    assert 'id="read-all"' in inbox and "全部已读" in inbox
    response = client.post("/notifications/read-all", data={"csrf_token": ""})
    assert response.status_code == 302
    assert services.unread_count(org.rep) == 0
    assert services.unread_count(org.pm) == 1  # only one's own
    assert 'id="read-all"' not in client.get("/notifications").get_data(as_text=True)
    services.notify(org.pm, "test:more", "再来一条")
    db.session.commit()
    api = api_as(org.pm)
    assert api.post("/notifications/read-all").json == {"marked": 2}
    assert api.post("/notifications/read-all").json == {"marked": 0}
    assert services.unread_count(org.pm) == 0
