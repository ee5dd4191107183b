"""The flags panel on the meeting page, the close gaps on the page, and the
compliance review list with its filters (SPEC §12)."""
from __future__ import annotations

from decimal import Decimal

from meetings.extensions import db
from meetings.flags import services as flags
from meetings.proposals import services as proposals
from meetings.summary import services as summary
from tests.conftest import filled_summary


def test_compliance_flags_from_the_meeting_page_the_owner_answers_compliance_resolves(
        org, login, make_meeting, compliance):
    meeting = make_meeting("approved")
    client = login(compliance)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="raise-flag"' in page
    response = client.post(f"/meetings/{meeting.id}/flags", data={"reason": "餐费偏高，请说明"})
    assert response.status_code == 302
    flag = flags.flags_of(meeting)[0]
    assert flag.reason == "餐费偏高，请说明"
    empty = client.post(f"/meetings/{meeting.id}/flags", data={"reason": ""})
    assert empty.status_code == 302 and len(flags.flags_of(meeting)) == 1
    owner = login(org.rep)
    page = owner.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "餐费偏高，请说明" in page and f"/flags/{flag.id}/answer" in page and 'id="raise-flag"' not in page
    owner.post(f"/meetings/{meeting.id}/flags/{flag.id}/answer", data={"comment": "人数多于预期"})
    db.session.expire_all()
    assert flags.flags_of(meeting)[0].answer == "人数多于预期"
    client = login(compliance)
    client.post(f"/meetings/{meeting.id}/flags/{flag.id}/resolve")
    db.session.expire_all()
    assert not flags.flags_of(meeting)[0].open


def test_the_meeting_page_lists_every_gap_before_close(org, login, make_meeting, compliance):
    meeting = make_meeting("held")
    summary.save_summary(org.rep, meeting, **filled_summary(actual_spend=[{"category": "gifts", "amount": "0"}]))
    flags.raise_flag(compliance, meeting, reason="请说明")
    db.session.commit()
    client = login(org.rep)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="close-gaps"' in page and 'data-gap="flag_open"' in page
    response = client.post(f"/meetings/{meeting.id}/close", data={"confirm": "yes"}, follow_redirects=True)
    db.session.expire_all()
    assert meeting.status.value == "summarized"
    assert proposals.close_gaps(meeting)["flag_open"] in response.get_data(as_text=True)


def test_the_review_list_filters_flagged_closed_and_meals_near_the_cap(org, login, make_meeting, compliance):
    flagged = make_meeting("approved", topic="甲会议")
    flags.raise_flag(compliance, flagged, reason="?")
    near = make_meeting("held", topic="乙会议", diners=2)
    summary.save_summary(org.rep, near, **filled_summary(
        actual_spend=[{"category": "meals", "amount": Decimal("580")}]))  # 290 a head: ≥ 90 % of 300
    modest = make_meeting("held", topic="丙会议", diners=2)
    summary.save_summary(org.rep, modest, **filled_summary(
        actual_spend=[{"category": "meals", "amount": Decimal("200")}]))
    closed = make_meeting("held", topic="丁会议")
    summary.save_summary(org.rep, closed, **filled_summary(actual_spend=[{"category": "gifts", "amount": "0"}]))
    proposals.close(org.rep, closed)
    db.session.commit()
    client = login(compliance)

    def topics(filter_name=None):
        url = "/compliance" + (f"?filter={filter_name}" if filter_name else "")
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return {t for t in ("甲会议", "乙会议", "丙会议", "丁会议") if t in html}

    assert topics() == {"甲会议", "乙会议", "丙会议", "丁会议"}
    assert topics("flagged") == {"甲会议"}
    assert topics("meals_near_cap") == {"乙会议"}
    assert topics("closed_last_month") == {"丁会议"}
    assert login(org.rep).get("/compliance").status_code == 403


def test_compliance_lands_on_the_review_and_sees_the_action_log(login, compliance):
    client = login(compliance)
    home = client.get("/")
    assert home.status_code == 302 and home.location.endswith("/compliance")
    assert client.get("/admin/audit").status_code == 200
