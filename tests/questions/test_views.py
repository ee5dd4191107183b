import pytest

from meetings.extensions import db
from meetings.followups.models import FollowUp, FollowUpKind
from meetings.questions.models import QuestionStatus
from meetings.summary.services import questions_of, save_summary
from tests.conftest import PASSWORD, filled_summary


@pytest.fixture
def login(client):
    def do(user):
        assert client.post("/login", data={"username": user.username,
                                           "password": PASSWORD}).status_code == 302
        return client
    return do


@pytest.fixture
def question(make_meeting, org):
    meeting = make_meeting("held")
    save_summary(org.rep, meeting, **filled_summary(questions=[{"text": "可以长期服用吗?"}]))
    db.session.commit()
    return questions_of(meeting)[0]


def test_marketing_sees_the_inbox_in_the_nav_and_answers(org, login, question):
    client = login(org.marketing)
    inbox = client.get("/questions").get_data(as_text=True)
    assert "可以长期服用吗?" in inbox and 'href="/questions"' in inbox
    form = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'name="answer"' in form
    blank = client.post(f"/questions/{question.id}", data={"answer": ""})
    assert blank.status_code == 422 and "is-invalid" in blank.get_data(as_text=True)
    sent = client.post(f"/questions/{question.id}", data={"answer": "可以, 定期复查肝功能"})
    assert sent.status_code == 302
    db.session.expire_all()
    assert question.status == QuestionStatus.answered
    assert db.session.query(FollowUp).filter_by(kind=FollowUpKind.answer_relay).count() == 1
    assert "可以长期服用吗?" not in client.get("/questions").get_data(as_text=True)  # no longer open
    assert "可以长期服用吗?" in client.get("/questions?status=answered").get_data(as_text=True)


def test_a_rep_has_no_inbox_link_and_cannot_answer(org, login, question):
    client = login(org.rep)
    assert 'href="/questions"' not in client.get("/meetings").get_data(as_text=True)
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "可以长期服用吗?" in page and 'name="answer"' not in page
    response = client.post(f"/questions/{question.id}", data={"answer": "x"})
    assert response.status_code == 403
    db.session.expire_all()
    assert question.status == QuestionStatus.open
