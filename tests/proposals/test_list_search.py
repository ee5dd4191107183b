"""Lists people can work with (issue 25, item 8): the meeting list shows
upcoming meetings soonest first, then past ones most recent first; it is
searched by topic, hospital or invited doctor, within a date range."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from meetings.extensions import db
from meetings.proposals import services
from tests.conftest import PASSWORD


def now():
    return datetime.now(timezone.utc)


def test_the_list_is_upcoming_soonest_then_past_most_recent(org, make_meeting):
    later = make_meeting(topic="下个月", starts_at=now() + timedelta(days=30))
    soon = make_meeting(topic="明天", starts_at=now() + timedelta(days=1))
    last_week = make_meeting(topic="上周", starts_at=now() - timedelta(days=7))
    last_year = make_meeting(topic="去年", starts_at=now() - timedelta(days=300))
    listed = db.session.scalars(services.search_meetings(org.rep, order="relevant")).all()
    assert [m.id for m in listed] == [soon.id, later.id, last_week.id, last_year.id]
    # the shape built once and run with values gives the same
    search = services.meeting_search(org.rep, order="relevant")
    assert [m.id for m in db.session.scalars(search.statement, search.values)] == [m.id for m in listed]


def test_search_finds_topic_hospital_and_invited_doctor(org, make_meeting, make_doctor, make_hospital):
    doctor = make_doctor(org.hospital, "C", name="欧阳医生")
    by_topic = make_meeting(topic="降压新药沙龙")
    by_doctor = make_meeting("submitted", topic="用法用量", primaries=[doctor])
    other_hospital = make_hospital(province=org.province, name="仁济医院")
    at_renji = make_meeting(topic="科室会", hospital_id=other_hospital.id,
                            department_id=other_hospital.departments[0].id)

    def found(q):
        return {m.id for m in db.session.scalars(services.search_meetings(org.rep, q=q))}
    assert found("降压") == {by_topic.id}
    assert found("欧阳") == {by_doctor.id}
    assert found("仁济") == {at_renji.id}
    assert found("100%_") == set()  # % and _ are taken literally


def test_the_page_searches_and_filters_a_date_range(org, make_meeting, client, api_as):
    soon = make_meeting(topic="明天的会", starts_at=now() + timedelta(days=1))
    far = make_meeting(topic="下个月的会", starts_at=now() + timedelta(days=40))
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    page = client.get("/meetings?q=会").get_data(as_text=True)
    assert page.index("明天的会") < page.index("下个月的会")
    until = (now() + timedelta(days=5)).date().isoformat()
    page = client.get(f"/meetings?to={until}").get_data(as_text=True)
    assert "明天的会" in page and "下个月的会" not in page
    assert 'name="q"' in page and 'type="date"' in page
    api = api_as(org.rep).get("/meetings?q=下个月").json
    assert [m["id"] for m in api] == [far.id] and soon.id not in [m["id"] for m in api]
