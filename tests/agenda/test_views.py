from flask_babel import gettext
from datetime import datetime, timedelta, timezone

import time_machine

from meetings.agenda import services
from meetings.extensions import db


def form_of(segments):
    data = {}
    for i, seg in enumerate(segments):
        for key, value in seg.items():
            data[f"segments-{i}-{key}"] = "" if value is None else str(value)
    return data


def test_agenda_editor_shows_the_default_and_saves(org, login, make_meeting):
    meeting = make_meeting()
    page = login(org.rep).get(f"/meetings/{meeting.id}/agenda")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'name="segments-4-kind"' in html
    response = login(org.rep).post(f"/meetings/{meeting.id}/agenda", data=form_of([
        {"kind": "video", "title": "公司简介", "planned_minutes": 6, "quiz": ""},
        {"kind": "talk", "title": "产品宣讲", "planned_minutes": 15, "quiz": ""},
        {"kind": "", "title": "", "planned_minutes": "", "quiz": ""},  # a blank row is ignored
        {"kind": "quiz", "title": "有奖问答", "planned_minutes": 5, "quiz": "每日几次? | 两次\n饭前还是饭后｜饭后"},
        {"kind": "closing", "title": "礼品", "planned_minutes": "", "quiz": ""},
    ]))
    assert response.status_code == 302
    segments = services.segments_of(meeting)
    assert [s.title for s in segments] == ["公司简介", "产品宣讲", "有奖问答", "礼品"]
    assert [(q.question, q.answer) for q in segments[2].quiz] == [("每日几次?", "两次"), ("饭前还是饭后", "饭后")]


def test_agenda_editor_rerenders_rule_errors_on_the_row(org, login, make_meeting):
    meeting = make_meeting()
    response = login(org.rep).post(f"/meetings/{meeting.id}/agenda", data=form_of([
        {"kind": "", "title": "", "planned_minutes": "", "quiz": ""},
        {"kind": "talk", "title": "产品宣讲", "planned_minutes": 40, "quiz": ""},
    ]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="minutes-1"' in html and "is-invalid" in html and "最多 25 分钟" in html
    bad = login(org.rep).post(f"/meetings/{meeting.id}/agenda", data=form_of([
        {"kind": "dance", "title": "x", "planned_minutes": "abc", "quiz": ""}]))
    assert bad.status_code == 422 and "Traceback" not in bad.get_data(as_text=True)
    quiz = login(org.rep).post(f"/meetings/{meeting.id}/agenda", data=form_of([
        {"kind": "quiz", "title": "问答", "planned_minutes": 5, "quiz": "没有答案的问题"}]))
    assert quiz.status_code == 422 and "segments-0-quiz" in quiz.get_data(as_text=True)
    assert len(services.segments_of(meeting)) == 5  # nothing changed


def test_run_page_starts_and_finishes_segments(org, login, make_meeting):
    meeting = make_meeting("in_progress")
    video = services.agenda(meeting)[0]
    db.session.commit()
    staff = login(org.staff)
    page = staff.get(f"/meetings/{meeting.id}/run").get_data(as_text=True)
    assert 'id="run-clock"' in page and "run.js" in page and 'name="csrf_token"' in page
    assert "cdn" not in page.lower()  # hospital intranets: everything served locally
    t0 = datetime.now(timezone.utc).replace(microsecond=0)
    with time_machine.travel(t0, tick=False):
        response = staff.post(f"/meetings/{meeting.id}/run/{video.id}/start")
    assert response.status_code == 302
    with time_machine.travel(t0 + timedelta(minutes=7), tick=False):
        page = staff.get(f"/meetings/{meeting.id}/run").get_data(as_text=True)
    assert "overrun" in page and "7:00" in page  # 7 min against 5 planned: red
    assert f"data-started=\"{int(t0.timestamp() * 1000)}\"" in page
    with time_machine.travel(t0 + timedelta(minutes=8), tick=False):  # later than the page it answers
        staff.post(f"/meetings/{meeting.id}/run/{video.id}/finish")
    db.session.expire_all()
    assert services.segments_of(meeting)[0].finished_at is not None


def test_run_page_refuses_a_wrong_state_with_a_message(org, login, make_meeting):
    meeting = make_meeting("in_progress")
    video = services.agenda(meeting)[0]
    db.session.commit()
    staff = login(org.staff)
    response = staff.post(f"/meetings/{meeting.id}/run/{video.id}/finish",
                          headers={"Referer": f"/meetings/{meeting.id}/run"})
    assert response.status_code == 302
    page = staff.get(f"/meetings/{meeting.id}/run").get_data(as_text=True)  # the flash, in this session
    assert "未在进行" in page  # “…” is not running


def test_checklist_page_ticks_adds_and_lists_unticked(org, login, make_meeting):
    meeting = make_meeting("approved")
    items = services.checklist(meeting)
    db.session.commit()
    client = login(org.rep)
    page = client.get(f"/meetings/{meeting.id}/checklist").get_data(as_text=True)
    assert gettext("Laser pointer, with batteries") in page and 'name="csrf_token"' in page
    data = {"item": [str(i.id) for i in items], "new_label": "易拉宝",
            f"remove-{items[0].id}": "on"}
    data.update({f"tick-{i.id}": "on" for i in items[1:]})
    assert client.post(f"/meetings/{meeting.id}/checklist", data=data).status_code == 302
    page = client.get(f"/meetings/{meeting.id}/checklist").get_data(as_text=True)
    assert 'id="unticked"' in page and "易拉宝" in page
    assert [services.label_of(i) for i in services.unticked(meeting)] == ["易拉宝"]
    crafted = client.post(f"/meetings/{meeting.id}/checklist", data={"item": ["x1"]})
    assert crafted.status_code == 422 and "不是整数" in crafted.get_data(as_text=True)
    assert [services.label_of(i) for i in services.unticked(meeting)] == ["易拉宝"]  # nothing changed


def test_pages_of_an_invisible_meeting_are_refused(org, login, make_meeting, make_user, make_province):
    meeting = make_meeting()
    stranger = make_user("rep", province=make_province())
    for path in ("agenda", "run", "checklist"):
        response = login(stranger).get(f"/meetings/{meeting.id}/{path}")
        assert response.status_code in (302, 404)
        assert "Traceback" not in response.get_data(as_text=True)


def test_run_page_offers_only_the_next_segment_and_shows_progress(org, login, make_meeting):
    import re
    from tests.forms import _Forms

    meeting = make_meeting("in_progress")
    video, talk, *_ = services.agenda(meeting)
    db.session.commit()
    staff = login(org.staff)

    def start_actions(html):
        parser = _Forms()
        parser.feed(html)
        return [f["action"] for f in parser.forms if f["method"] == "post" and f["action"].endswith("/start")]

    page = staff.get(f"/meetings/{meeting.id}/run").get_data(as_text=True)
    assert start_actions(page) == [f"/meetings/{meeting.id}/run/{video.id}/start"]
    # the clock starts after the page was read: the session never sees time run backwards
    t0 = datetime.now(timezone.utc)
    with time_machine.travel(t0, tick=False):
        staff.post(start_actions(page)[0])
    with time_machine.travel(t0 + timedelta(minutes=3), tick=False):
        page = staff.get(f"/meetings/{meeting.id}/run").get_data(as_text=True)
    assert start_actions(page) == [f"/meetings/{meeting.id}/run/{talk.id}/start"]
    assert 'class="run-row-elapsed"' in page  # the running row counts (static/run.js)
    progress = re.search(r'id="progress-elapsed">([^<]*)<', page).group(1)
    assert progress == "3:00" and "/ 30:00" in page
