"""The meeting page says what happened and offers only what works (issue 9, item 8)."""
from __future__ import annotations

from decimal import Decimal


from meetings.extensions import db
from meetings.proposals.models import Status
from tests.forms import fill, rendered_form


def actions_form(html: str) -> int:
    """The index of the page's lifecycle form among its POST forms."""
    from tests.forms import _Forms
    parser = _Forms()
    parser.feed(html)
    posts = [f for f in parser.forms if f["method"] == "post"]
    return next(i for i, f in enumerate(posts) if f["action"] is None)


BIG = {"lines": [{"category": "meals", "amount": Decimal("1500")},
                 {"category": "venue", "amount": Decimal("6000")}]}


def test_approving_above_the_limit_says_it_went_to_the_regional_manager(login, org, make_meeting):
    meeting = make_meeting("submitted", budget=BIG)
    client = login(org.pm)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    data = fill(page, actions_form(page))
    response = client.post(f"/meetings/{meeting.id}/approve", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.status == Status.pending_regional
    assert "大区经理" in html and "会议申请已批准" not in html


def test_the_comment_box_shows_only_to_those_who_decide(login, org, make_meeting):
    meeting = make_meeting("submitted")
    owner_page = login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'name="comment"' not in owner_page
    approver_page = login(org.pm).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'name="comment"' in approver_page


def test_day_buttons_appear_only_when_they_work(login, org, make_meeting):
    draft = make_meeting("draft")
    page = login(org.staff).get(f"/meetings/{draft.id}").get_data(as_text=True)
    assert "/sign-in" not in page and "/run" not in page
    running = make_meeting("in_progress")
    page = login(org.staff).get(f"/meetings/{running.id}").get_data(as_text=True)
    assert f"/meetings/{running.id}/sign-in" in page and f"/meetings/{running.id}/run" in page


def test_finishing_asks_for_confirmation(login, org, make_meeting):
    meeting = make_meeting("in_progress")
    client = login(org.staff)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    index = actions_form(page)
    assert "confirm" in rendered_form(page, index)["choices"]

    client.post(f"/meetings/{meeting.id}/finish", data=fill(page, index))  # not ticked
    db.session.refresh(meeting)
    assert meeting.status == Status.in_progress

    client.post(f"/meetings/{meeting.id}/finish", data=fill(page, index, confirm="yes"))
    db.session.refresh(meeting)
    assert meeting.status == Status.held


def test_the_page_offers_the_tools_the_domains_allow_now(app, login, org, make_meeting, make_user):
    """dossier.meeting_page.tools_for: the sign-in desk while it is open and
    only to those who run the meeting; run of show from the day on; the
    summary and follow-ups once held. The template shows what it says."""
    from meetings.dossier.meeting_page import meeting_page, tools_for
    approved, held = make_meeting("approved"), make_meeting("held")
    other_rep = make_user("rep", province=org.province)  # sees the province's meetings, runs none
    assert tools_for(org.rep, approved) == ["agenda", "checklist", "sign_in", "sign_in_sheet", "proposal_pdf"]
    assert "sign_in" not in tools_for(other_rep, approved) and "sign_in_sheet" not in tools_for(other_rep, approved)
    assert tools_for(org.rep, held) == ["agenda", "checklist", "run_of_show", "sign_in_sheet", "summary",
                                       "followups", "proposal_pdf"]
    page = meeting_page(org.rep, approved)
    assert page.attendance is None and "start" in page.actions
    assert meeting_page(org.rep, held).attendance is not None
    html = login(org.rep).get(f"/meetings/{approved.id}").get_data(as_text=True)
    assert f"/meetings/{approved.id}/sign-in" in html and f"/meetings/{approved.id}/summary" not in html
    html = login(org.rep).get(f"/meetings/{held.id}").get_data(as_text=True)
    assert f'/meetings/{held.id}/sign-in"' not in html and f"/meetings/{held.id}/summary" in html
