from datetime import timedelta

import pytest
import time_machine

from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpStatus, Outcome
from meetings.questions.models import Question
from tests.conftest import PASSWORD
from tests.forms import fill

from .conftest import at_local


@pytest.fixture
def login(client):
    def do(user):
        assert client.post("/login", data={"username": user.username,
                                           "password": PASSWORD}).status_code == 302
        return client
    return do


@pytest.fixture
def held(org, hold, make_doctor):
    came = make_doctor(org.hospital, "C", name="钱医生")
    absent = make_doctor(org.hospital, "C", name="孙医生")
    return hold(primaries=[came, absent], present=[came], walk_ins=["周护士"])


def test_the_rep_sees_the_list_grouped_and_completes_a_visit(org, login, held):
    task = db.session.query(FollowUp).filter(FollowUp.walk_in_name.is_(None),
                                             FollowUp.kind == "visit").one()
    with time_machine.travel(at_local(task.due_on)):
        client = login(org.rep)
        page = client.get("/followups").get_data(as_text=True)
        assert 'href="/followups"' in page  # in the nav
        assert "钱医生" in page and "孙医生" in page and "周护士" in page
        assert page.index('id="group-today"') < page.index("钱医生")
        form = client.get(f"/followups/{task.id}").get_data(as_text=True)
        assert 'type="radio" name="outcome"' in form and 'name="question"' in form
        refused = client.post(f"/followups/{task.id}", data=fill(form, notes="没见到"))
        assert refused.status_code == 422 and "is-invalid" in refused.get_data(as_text=True)
        done = client.post(f"/followups/{task.id}", data=fill(form, outcome="ambiguous", notes="再约",
                                                              question="能和阿司匹林合用吗?"))
        assert done.status_code == 302
        db.session.expire_all()
        assert task.status == FollowUpStatus.done and task.outcome == Outcome.ambiguous
        assert db.session.query(Question).one().text == "能和阿司匹林合用吗?"
        page = client.get("/followups").get_data(as_text=True)
        assert page.index('id="group-done"') < page.index("钱医生")


def test_overdue_tasks_come_first(org, login, held):
    task = db.session.query(FollowUp).first()
    with time_machine.travel(at_local(task.due_on + timedelta(days=1))):
        page = login(org.rep).get("/followups").get_data(as_text=True)
        assert 'id="group-overdue"' in page and "text-danger" in page
        assert page.index('id="group-overdue"') < page.index("钱医生") < page.index('id="group-today"')


def test_the_provincial_manager_sees_the_provinces_overdue_tasks_but_cannot_complete(org, login, held):
    task = db.session.query(FollowUp).first()
    with time_machine.travel(at_local(task.due_on + timedelta(days=1))):
        client = login(org.pm)
        page = client.get("/followups").get_data(as_text=True)
        assert 'id="overseen"' in page and "钱医生" in page and org.rep.display_name in page
        detail = client.get(f"/followups/{task.id}").get_data(as_text=True)
        assert 'name="outcome"' not in detail
        assert client.post(f"/followups/{task.id}", data={"outcome": "committed"}).status_code == 403


def test_someone_outside_gets_404(org, login, held, make_user):
    task = db.session.query(FollowUp).first()
    other = make_user("rep", province=org.province)
    client = login(other)
    assert "钱医生" not in client.get("/followups").get_data(as_text=True)
    assert client.get(f"/followups/{task.id}").status_code == 404


def test_the_meeting_page_links_its_follow_up_week(client, org, make_meeting):
    meeting = make_meeting("held")
    client.post("/login", data={"username": org.pm.username, "password": PASSWORD})
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/followups?meeting_id={meeting.id}" in page
    assert client.get(f"/followups?meeting_id={meeting.id}").status_code == 200
