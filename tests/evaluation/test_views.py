"""What people see: the scorecard on the meeting page, spend on the doctor
page, budget vs actual, the prescription upload page, the product field."""
from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select

from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.prescriptions.models import Prescription
from meetings.proposals.models import Meeting
from meetings.proposals.services import budget_period
from tests.evaluation.test_scorecard import months_around
from tests.forms import fill
from tests.prescriptions.test_import import csv_bytes


def test_the_meeting_page_shows_the_scorecard_with_the_sales_effect(org, held, make_doctor,
                                                                     prescribe, login):
    doctor = make_doctor(org.hospital, "C", name="丙医生")
    meeting = held(primaries=[doctor], present=[doctor], tick=6, product="优立通")
    m = months_around(meeting)
    prescribe({(doctor, m[-1], "优立通"): 10, (doctor, m[1], "优立通"): 12})
    page = login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="scorecard"' in page and 'id="part-hardware"' in page and 'id="part-effect"' in page
    assert 'id="sales-effect"' in page and "丙医生" in page and "<svg" in page
    assert "10.0" in page and "12.0" in page  # before and after, per doctor and in total
    assert "<script>" not in page.split('id="scorecard"')[1].split("</section>")[0]


def test_no_scorecard_before_the_meeting_is_held(make_meeting, login, org):
    meeting = make_meeting("approved")
    page = login(org.rep).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="scorecard"' not in page


def test_the_doctor_page_shows_meetings_and_spend_against_the_cap(org, held, make_doctor, login):
    doctor = make_doctor(org.hospital, "C")
    meeting = held(primaries=[doctor], present=[doctor], expected_attendees=10)
    page = login(org.admin).get(f"/doctors/{doctor.id}").get_data(as_text=True)
    assert 'id="doctor-spend"' in page and "200.00" in page and "1800.00" in page
    assert f"/meetings/{meeting.id}" in page and meeting.topic in page
    assert "估算" in page  # an estimate until the summary (SPEC §12)
    from meetings.summary import services as summary
    summary.save_summary(org.rep, meeting, organization="顺利",
                         actual_spend=[{"category": "gifts", "amount": Decimal("300")}])
    db.session.commit()
    page = login(org.admin).get(f"/doctors/{doctor.id}").get_data(as_text=True)
    table = page.split('id="doctor-meetings"')[1].split("</table>")[0]
    assert "300.00" in page and "实际" in page and "估算" not in table


def test_the_province_page_and_the_report_show_budget_vs_actual(org, held, login):
    from meetings.summary import services as summary

    meeting = held()
    pool = db.session.scalar(select(BudgetPool).where(BudgetPool.province_id == org.province.id,
                                                      BudgetPool.period == budget_period(meeting)))
    pool.amount = Decimal("2000")
    db.session.commit()
    summary.save_summary(org.rep, meeting, organization="顺利", overspend_reason="多来了医生",
                         actual_spend=[{"category": "venue", "amount": Decimal("2100")}])
    db.session.commit()
    client = login(org.pm)
    page = client.get(f"/admin/provinces/{org.province.id}").get_data(as_text=True)
    table = page.split("budget-vs-actual")[1]
    assert "¥2,100" in table and "-¥100" in table and "text-danger" in table
    report = client.get(f"/reports/budgets?period={pool.period}")
    assert report.status_code == 200 and "-¥100" in report.get_data(as_text=True)
    assert client.get("/reports/budgets?period=nope").status_code == 422
    assert login(org.rep).get("/reports/budgets").status_code == 403


def test_the_upload_page_imports_and_shows_the_report(org, make_doctor, login):
    doctor = make_doctor(org.hospital)
    client = login(org.marketing)
    page = client.get("/prescriptions").get_data(as_text=True)
    assert 'type="file"' in page and 'name="update_support"' in page
    data = fill(page, update_support="on")
    data["file"] = (io.BytesIO(csv_bytes("doctor_id,month,product,boxes", f"{doctor.id},2026-01,P,3",
                                         f"{doctor.id},2026-13,P,3", bom=True)), "p.csv")
    response = client.post("/prescriptions", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="report-inserted">1<' in html and 'id="import-errors"' in html
    # row 3 (the header is row 1), the column by its label
    assert '<td>3</td><td>月份</td>' in html and '<td>month</td>' not in html
    assert db.session.scalar(select(Prescription.boxes)) == 3
    missing = client.post("/prescriptions", data=fill(page), content_type="multipart/form-data")
    assert missing.status_code == 422
    template = client.get("/prescriptions/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    assert login(org.rep).get("/prescriptions").status_code == 403


def test_the_proposal_form_and_the_api_carry_the_product(org, login, api_as):
    from tests.conftest import jsonable, meeting_data

    page = login(org.rep).get("/meetings/new").get_data(as_text=True)
    assert 'name="product"' in page
    body = api_as(org.rep).post("/meetings", json=jsonable(meeting_data(org, product=" 优立通 "))).json
    assert body["product"] == "优立通"
    assert db.session.get(Meeting, body["id"]).product == "优立通"
    none = api_as(org.rep).post("/meetings", json=jsonable(meeting_data(org))).json
    assert none["product"] is None


def test_the_invitee_picker_shows_each_doctors_spend_this_year(org, make_meeting, make_doctor, login):
    from meetings.invitees import services as invitees

    doctor = make_doctor(org.hospital, "C", name="已花医生")
    earlier = make_meeting(expected_attendees=10)  # 2000 ÷ 10 = 200 for the doctor
    invitees.add_invitee(org.rep, earlier, doctor_id=doctor.id, role="primary")
    draft = make_meeting(starts_at=earlier.starts_at)
    db.session.commit()
    page = login(org.rep).get(f"/meetings/{draft.id}").get_data(as_text=True)
    option = next(line for line in page.splitlines() if "已花医生" in line and "<option" in line)
    assert "200.00" in option and "2000" in option
