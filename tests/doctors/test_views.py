"""Hospitals, departments and doctors as pages."""

from flask_babel import gettext
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry as AuditEntry
from meetings.doctors.models import Department, Doctor, Grade, Hospital
from meetings.extensions import db
from tests.conftest import PASSWORD


def login(client, user):
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_everyone_sees_the_hospitals_of_their_scope(client, org, make_hospital, make_province, make_region):
    elsewhere = make_hospital(province=make_province(region=make_region()), name="远方医院")
    for user in (org.rep, org.pm, org.rm, org.staff):
        login(client, user)
        html = client.get("/hospitals").get_data(as_text=True)
        assert org.hospital.name in html and "远方医院" not in html
        assert 'href="/hospitals"' in html  # nav entry
        assert client.get(f"/hospitals/{elsewhere.id}").status_code == 404
        client.post("/logout")
    for user in (org.admin, org.marketing):
        login(client, user)
        assert "远方医院" in client.get("/hospitals").get_data(as_text=True)
        client.post("/logout")


def test_hospital_page_lists_doctors_with_grade_and_key_flag(client, org, make_doctor):
    make_doctor(org.hospital, grade="A", name="张主任")
    make_doctor(org.hospital, grade="A", title="nurse", name="护士李")
    make_doctor(org.hospital, grade="D", name="王医生")
    login(client, org.rep)
    html = client.get(f"/hospitals/{org.hospital.id}").get_data(as_text=True)
    assert "心内科" in html
    rows = {name: html.split(name, 1)[1].split("</tr>", 1)[0] for name in ("张主任", "护士李", "王医生")}
    key = gettext("key")  # the flag as the page shows it (Chinese by default)
    assert ">A<" in rows["张主任"] and key in rows["张主任"]
    assert ">A<" in rows["护士李"] and key not in rows["护士李"]  # nurses are never key
    assert ">D<" in rows["王医生"] and key not in rows["王医生"]
    # read-only for a rep
    assert "/edit" not in html and gettext("New doctor") not in html


def test_admin_creates_a_hospital_a_department_and_a_doctor(client, org):
    login(client, org.admin)
    form = client.get("/hospitals/new").get_data(as_text=True)
    assert 'name="csrf_token"' in form and org.province.name in form
    response = client.post("/hospitals/new", data={
        "name": "省人民医院", "level": "tertiary", "city": "南京", "province_id": str(org.province.id)})
    assert response.status_code == 302
    hospital = db.session.scalar(select(Hospital).where(Hospital.name == "省人民医院"))

    response = client.post(f"/hospitals/{hospital.id}/departments/new",
                           data={"name": "内分泌科", "headcount": "12"})
    assert response.status_code == 302
    department = db.session.scalar(select(Department).where(Department.hospital_id == hospital.id))
    assert department.headcount == 12

    response = client.post(f"/hospitals/{hospital.id}/doctors/new", data={
        "department_id": str(department.id), "name": "赵医生", "title": "attending",
        "position": "outpatient", "potential": "150", "support": "60"})
    assert response.status_code == 302
    doctor = db.session.scalar(select(Doctor).where(Doctor.name == "赵医生"))
    html = client.get(f"/doctors/{doctor.id}").get_data(as_text=True)
    assert "赵医生" in html and ">A<" in html


def test_bad_doctor_input_is_shown_beside_the_fields(client, org):
    login(client, org.admin)
    response = client.post(f"/hospitals/{org.hospital.id}/doctors/new", data={
        "department_id": str(org.department.id), "name": "", "title": "surgeon",
        "position": "outpatient", "potential": "-3"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count('class="invalid-feedback"') >= 3 and "Traceback" not in html
    assert db.session.scalar(select(Doctor)) is None


def test_a_department_of_another_hospital_is_not_accepted(client, org, make_hospital):
    other = make_hospital(province=org.province)
    login(client, org.admin)
    response = client.post(f"/hospitals/{org.hospital.id}/doctors/new", data={
        "department_id": str(other.departments[0].id), "name": "钱医生", "title": "attending",
        "position": "outpatient"})
    assert response.status_code == 422
    assert db.session.scalar(select(Doctor)) is None


def test_bad_headcount_is_refused(client, org):
    login(client, org.admin)
    response = client.post(f"/departments/{org.department.id}/edit", data={"name": "心内科", "headcount": "many"})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)


def test_admin_edits_hospital_department_and_doctor(client, org, make_doctor):
    doctor = make_doctor(org.hospital, grade="D")
    login(client, org.admin)
    assert client.post(f"/hospitals/{org.hospital.id}/edit", data={
        "name": "改名医院", "level": "secondary", "city": "苏州",
        "province_id": str(org.province.id)}).status_code == 302
    assert client.post(f"/departments/{org.department.id}/edit",
                       data={"name": "心血管科", "headcount": "40"}).status_code == 302
    assert client.post(f"/doctors/{doctor.id}/edit", data={
        "department_id": str(org.department.id), "name": doctor.name, "title": "chief_physician",
        "position": "department_head", "potential": "300", "support": "150"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hospital, org.hospital.id).city == "苏州"
    assert db.session.get(Department, org.department.id).headcount == 40
    html = client.get(f"/doctors/{doctor.id}").get_data(as_text=True)
    assert ">A<" in html  # recomputed from the new figures


def test_grade_override_needs_a_reason_and_is_audited(client, org, make_doctor):
    doctor = make_doctor(org.hospital, grade="D")
    login(client, org.admin)
    response = client.post(f"/doctors/{doctor.id}/grade", data={"grade": "A", "reason": "  "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "调整分级须说明原因" in html and "is-invalid" in html
    db.session.expire_all()
    assert db.session.get(Doctor, doctor.id).grade_override is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grade_override")) is None

    response = client.post(f"/doctors/{doctor.id}/grade", data={"grade": "A", "reason": "科主任的接班人"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Doctor, doctor.id).grade_override == Grade.A
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grade_override"))
    assert entry.actor_id == org.admin.id and entry.object_id == doctor.id
    assert entry.before == {"grade": "D"} and entry.after["grade"] == "A"
    assert db.session.get(Doctor, doctor.id).grade_override_reason == "科主任的接班人"
    html = client.get(f"/hospitals/{org.hospital.id}").get_data(as_text=True)
    assert gettext("overridden") in html and gettext("key") in html


def test_clearing_the_override_returns_to_the_computed_grade(client, org, make_doctor):
    doctor = make_doctor(org.hospital, grade="D")
    login(client, org.admin)
    client.post(f"/doctors/{doctor.id}/grade", data={"grade": "B", "reason": "竞品大户"})
    response = client.post(f"/doctors/{doctor.id}/grade", data={"grade": "", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Doctor, doctor.id).grade_override is None
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "grade_override")).all()) == 2


def test_non_admins_browse_read_only_and_get_403_on_changes(client, org, make_doctor):
    doctor = make_doctor(org.hospital, grade="B")
    for user in (org.rep, org.pm, org.rm, org.staff, org.marketing):
        login(client, user)
        page = client.get(f"/doctors/{doctor.id}")
        assert page.status_code == 200 and gettext("Override the grade") not in page.get_data(as_text=True)
        assert client.get("/hospitals/new").status_code == 403
        assert client.get(f"/hospitals/{org.hospital.id}/edit").status_code == 403
        assert client.post(f"/hospitals/{org.hospital.id}/departments/new", data={"name": "x"}).status_code == 403
        assert client.get(f"/departments/{org.department.id}/edit").status_code == 403
        assert client.get(f"/hospitals/{org.hospital.id}/doctors/new").status_code == 403
        assert client.get(f"/doctors/{doctor.id}/edit").status_code == 403
        assert client.post(f"/doctors/{doctor.id}/grade", data={"grade": "A", "reason": "r"}).status_code == 403
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(Doctor, doctor.id).grade_override is None


def test_search_narrows_the_hospital_list(client, org, make_hospital):
    make_hospital(province=org.province, name="第一医院")
    make_hospital(province=org.province, name="中医院")
    login(client, org.rep)
    html = client.get("/hospitals?q=中医").get_data(as_text=True)
    assert "中医院" in html and "第一医院" not in html


def test_unknown_ids_are_404(client, org):
    login(client, org.admin)
    for path in ("/hospitals/9999", "/hospitals/9999/edit", "/departments/9999/edit", "/doctors/9999",
                 "/doctors/9999/edit"):
        assert client.get(path).status_code == 404, path
