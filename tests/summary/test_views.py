

from meetings.extensions import db
from meetings.proposals.models import Status
from meetings.summary import services
from tests.conftest import filled_summary
from tests.forms import fill


def test_owner_is_sent_to_the_form_which_is_prefilled_from_the_budget(org, login, make_meeting):
    meeting = make_meeting("held", diners=5)
    client = login(org.rep)
    response = client.get(f"/meetings/{meeting.id}/summary")
    assert response.status_code == 302 and response.location.endswith(f"/meetings/{meeting.id}/summary/edit")
    form = client.get(f"/meetings/{meeting.id}/summary/edit").get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'value="1500.00"' in form and 'name="chief_disputed"' in form


def form_page(client, meeting) -> str:
    return client.get(f"/meetings/{meeting.id}/summary/edit").get_data(as_text=True)


def test_summary_form_saves_and_the_view_shows_variance(org, login, make_meeting, make_doctor):
    meeting = make_meeting("held", diners=6)  # 1600 of meals ÷ 6 who ate: within the cap
    doctor = make_doctor(org.hospital, name="张主任")
    client = login(org.rep)
    data = fill(form_page(client, meeting), **{
        "organization": "顺利", "feedback": "认可", "chief_endorsed": "起效快", "chief_disputed": "价格",
        "next_steps": "回访", "agenda_notes": "",
        "questions-0-text": "老人能用吗?", "questions-0-doctor_id": str(doctor.id),
        "actual_spend-0-amount": "1600", "actual_spend-1-amount": "450.5",
        "overspend_reason": "到会人数多于预期"})
    response = client.post(f"/meetings/{meeting.id}/summary/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert meeting.status == Status.summarized
    page = client.get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    assert "¥2,050.50" in page and "¥2,000" in page and "¥50.50" in page and "text-danger" in page
    assert "老人能用吗?" in page and "张主任" in page and 'id="agenda-vs-actual"' in page
    assert 'id="overspend-reason"' in page and "到会人数多于预期" in page
    # the chief's disputed point is a question for marketing too (SPEC §15)
    assert [(q.text, q.source.value) for q in services.questions_of(meeting)] == [
        ("老人能用吗?", "summary"), ("价格", "chief_review")]


def test_summary_form_rerenders_errors_with_422(org, login, make_meeting):
    meeting = make_meeting("held", expected_attendees=10, diners=10)
    client = login(org.rep)
    over = client.post(f"/meetings/{meeting.id}/summary/edit", data=fill(
        form_page(client, meeting), organization="顺利", overspend_reason="加餐",
        **{"actual_spend-0-amount": "3500"}))
    html = over.get_data(as_text=True)
    assert over.status_code == 422 and "350.00" in html and "300" in html and 'value="3500"' in html
    bad = client.post(f"/meetings/{meeting.id}/summary/edit", data=fill(
        form_page(client, meeting), organization="顺利",
        **{"actual_spend-0-amount": "abc", "questions-0-text": "问题"}))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "is-invalid" in html and "Traceback" not in html
    assert "不是有效的数字" in html  # marshmallow's message, in the page's language
    db.session.expire_all()
    assert meeting.status == Status.held


def test_an_empty_summary_is_refused_beside_its_fields(org, login, make_meeting):
    meeting = make_meeting("held", diners=5)
    client = login(org.rep)
    data = fill(form_page(client, meeting), **{"actual_spend-0-amount": "", "actual_spend-1-amount": ""})
    response = client.post(f"/meetings/{meeting.id}/summary/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-error-for="organization"' in html
    db.session.expire_all()
    assert meeting.status == Status.held


def test_without_questions_the_summary_says_so(org, login, make_meeting):
    meeting = make_meeting("held", diners=5)
    client = login(org.rep)
    data = fill(form_page(client, meeting), organization="科室早交班后召开")
    response = client.post(f"/meetings/{meeting.id}/summary/edit", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "本次会议没有提问" in html and "市场部" not in html.split("alert-success")[1][:200]


def test_the_form_offers_blank_rows_and_a_button_to_add_more(org, login, make_meeting):
    meeting = make_meeting("held", diners=5)
    html = form_page(login(org.rep), meeting)
    assert 'name="questions-1-text"' in html and 'name="actual_spend-3-amount"' in html
    assert 'data-add-row="questions"' in html and "rows.js" in html and "<script>" not in html


def test_others_see_the_summary_but_cannot_write_it(org, login, make_meeting):
    meeting = make_meeting("held", diners=5)
    services.save_summary(org.rep, meeting, **filled_summary(organization="顺利"))
    db.session.commit()
    client = login(org.marketing)
    page = client.get(f"/meetings/{meeting.id}/summary")
    assert page.status_code == 200 and "顺利" in page.get_data(as_text=True)
    response = client.post(f"/meetings/{meeting.id}/summary/edit", data={"organization": "改"})
    assert response.status_code == 403  # refused
    db.session.expire_all()
    assert services.summary_of(meeting).organization == "顺利"


def test_the_summary_page_links_its_printable_form(org, login, make_meeting, make_province, make_user):
    meeting = make_meeting("held", diners=5)
    services.save_summary(org.rep, meeting, **filled_summary(organization="会场布置顺利"))
    db.session.commit()
    client = login(org.staff)
    page = client.get(f"/meetings/{meeting.id}/summary").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/summary.pdf"' in page
    response = client.get(f"/meetings/{meeting.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    unsummarized = make_meeting("held", diners=5)
    assert client.get(f"/meetings/{unsummarized.id}/summary.pdf").status_code == 404
    stranger = make_user("staff", province=make_province())
    assert login(stranger).get(f"/meetings/{meeting.id}/summary.pdf").status_code == 404
