"""The rep's week on a phone, the visit form, the manager's table, and the
week page's statements (they must not grow with the number of doctors)."""
import contextlib
from datetime import timedelta

from sqlalchemy import event

from meetings.extensions import db
from meetings.visits.models import Visit

from .conftest import meeting_day, monday_of, on, week_of


def test_the_week_lists_due_doctors_by_grade_overdue_in_red_and_the_visit_form(
        org, make_doctor, met, login):
    key, loyal = make_doctor(org.hospital, "A", name="王主任"), make_doctor(org.hospital, "C", name="李医生")
    meeting = met(key, loyal)
    day = meeting_day(meeting) + timedelta(days=12)  # the follow-ups past due: overdue
    monday = monday_of(day)
    with on(day):
        client = login(org.rep)
        page = client.get(f"/visits/week?week={week_of(monday)}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "王主任" in html and "李医生" in html and 'data-overdue="1"' in html
        assert html.index('id="grade-A"') < html.index('id="grade-C"')
        assert f"/visits/new?doctor_id={key.id}" in html
        form = client.get(f"/visits/new?doctor_id={key.id}")
        assert form.status_code == 200 and "王主任" in form.get_data(as_text=True)
        refused = client.post("/visits/new", data={"doctor_id": key.id, "minutes": "3", "purpose": "介绍",
                                                   "outcome": "committed", "stage": "trial",
                                                   "visited_at": day.isoformat() + "T09:00"})
        assert refused.status_code == 422 and db.session.query(Visit).count() == 0
        saved = client.post("/visits/new", data={"doctor_id": key.id, "minutes": "20", "purpose": "介绍",
                                                 "next_step": "送临床文献", "outcome": "committed",
                                                 "stage": "trial", "visited_at": day.isoformat() + "T09:00"})
        assert saved.status_code == 302, saved.get_data(as_text=True)
        again = client.get(f"/visits/new?doctor_id={key.id}").get_data(as_text=True)
        assert 'value="送临床文献"' in again  # the call plan starts from the last next step
        html = client.get(f"/visits/week?week={week_of(monday)}").get_data(as_text=True)
        assert "list-group-item-success" in html


def test_a_manager_sees_planned_done_and_rate_per_rep(org, make_doctor, met, login):
    doctor = make_doctor(org.hospital, "B")
    meeting = met(doctor)
    monday = monday_of(meeting_day(meeting)) + timedelta(days=21)
    with on(monday + timedelta(days=1)):
        client = login(org.pm)
        html = client.get(f"/visits/week?week={week_of(monday)}").get_data(as_text=True)
        assert org.rep.display_name in html and 'id="per-rep"' in html
        theirs = client.get(f"/visits/week?week={week_of(monday)}&rep_id={org.rep.id}")
        assert theirs.status_code == 200 and doctor.name in theirs.get_data(as_text=True)
        assert login(org.staff).get("/visits/new").status_code == 403


def test_the_week_in_the_menu_in_chinese_and_english(org, login):
    client = login(org.rep)
    html = client.get("/followups").get_data(as_text=True)
    assert 'href="/visits/week"' in html and "我的一周" in html
    client.get("/lang/en")
    html = client.get("/visits/week").get_data(as_text=True)
    assert "My week" in html and "Doctors due for a visit" in html


@contextlib.contextmanager
def counting():
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_week_page_costs_the_same_statements_for_20_or_200_doctors(org, make_doctor, met, login, make_user):
    """Doctors are added to the rep's plan straight in the tables (a visit
    task past due), then the page is read with 20 and with 200."""
    from meetings.followups.models import FollowUp, FollowUpKind, FollowUpStatus
    from meetings.doctors.models import Doctor
    meeting = met(make_doctor(org.hospital, "C"))
    monday = monday_of(meeting_day(meeting)) + timedelta(days=28)
    grades = {"A": (200, 100), "B": (200, 10), "C": (50, 40), "D": (50, 1)}

    def add(n):
        for i in range(n):
            potential, support = grades["ABCD"[i % 4]]
            doctor = Doctor(department_id=org.department.id, name=f"医生{i}", title="attending",
                            position="outpatient", potential=potential, support=support)
            db.session.add(doctor)
            db.session.flush()
            db.session.add(FollowUp(meeting_id=meeting.id, doctor_id=doctor.id, assignee_id=org.rep.id,
                                    kind=FollowUpKind.visit, not_before=monday - timedelta(days=20),
                                    due_on=monday - timedelta(days=14), status=FollowUpStatus.open))
            if i % 3 == 0:
                db.session.add(Visit(doctor_id=doctor.id, rep_id=org.rep.id, minutes=15, purpose="拜访",
                                     outcome="none", stage="aware",
                                     visited_at=meeting.starts_at + timedelta(days=20 + i % 5)))
        db.session.commit()

    counts = {}
    with on(monday + timedelta(days=2)):
        client = login(org.rep)
        for total, more in ((20, 19), (200, 180)):
            add(more)
            client.get(f"/visits/week?week={week_of(monday)}")  # warm
            with counting() as seen:
                page = client.get(f"/visits/week?week={week_of(monday)}")
            assert page.status_code == 200
            counts[total] = sum(not s.lstrip().upper().startswith("BEGIN") for s in seen)
    print("week page statements", counts)
    assert counts[200] == counts[20], counts
    assert counts[20] <= 15, counts
