from meetings.actionlog import ActionLogEntry
from meetings.extensions import db


def test_hospital_department_doctor_and_computed_grade(org, api_as):
    admin = api_as(org.admin)
    hospital = admin.post("/hospitals", {"name": "第二医院", "level": "tertiary", "city": "南京",
                                         "province_id": org.province.id})
    assert hospital.status_code == 201
    department = admin.post("/departments", {"hospital_id": hospital.json["id"], "name": "内分泌科",
                                             "headcount": 12})
    assert department.status_code == 201
    cases = [(100, 30, "A", True), (100, 29, "B", True), (99, 50, "C", False), (99, 1, "D", False)]
    for potential, support, grade, key in cases:
        doctor = admin.post("/doctors", {"department_id": department.json["id"], "name": "医生",
                                         "title": "attending", "position": "outpatient",
                                         "potential": potential, "support": support})
        assert doctor.status_code == 201
        assert (doctor.json["grade"], doctor.json["key"]) == (grade, key), (potential, support)
    nurse = admin.post("/doctors", {"department_id": department.json["id"], "name": "护士",
                                    "title": "nurse", "position": "inpatient",
                                    "potential": 500, "support": 400})
    assert nurse.json["grade"] == "A" and nurse.json["key"] is False
    patched = admin.patch(f"/doctors/{nurse.json['id']}", {"support": 0})
    assert patched.status_code == 200 and patched.json["grade"] == "B"
    assert admin.patch(f"/hospitals/{hospital.json['id']}", {"city": "苏州"}).json["city"] == "苏州"


def test_grade_thresholds_are_configuration(app, org, api_as, make_doctor):
    doctor = make_doctor(org.hospital, "C")  # potential 50, support 40
    app.config["GRADE_HIGH_POTENTIAL"] = 50
    assert api_as(org.admin).get(f"/doctors/{doctor.id}").json["grade"] == "A"


def test_grade_override_needs_a_reason_and_is_audited(org, api_as, make_doctor):
    doctor = make_doctor(org.hospital, "D")
    admin = api_as(org.admin)
    refused = admin.post(f"/doctors/{doctor.id}/grade-override", {"grade": "A"})
    assert refused.status_code == 422 and "reason" in refused.json["message"]
    done = admin.post(f"/doctors/{doctor.id}/grade-override",
                      {"grade": "A", "reason": "new department head"})
    assert done.status_code == 200 and done.json["grade"] == "A"
    entry = db.session.query(ActionLogEntry).filter_by(object_type="doctor", object_id=doctor.id,
                                                       action="grade_override").one()
    assert entry.actor_id == org.admin.id and entry.after["grade"] == "A" and entry.before["grade"] == "D"
    assert "new department head" not in str(entry.after)  # a note about the doctor stays on the doctor
    assert api_as(org.rep).post(f"/doctors/{doctor.id}/grade-override",
                                {"grade": "A", "reason": "x"}).status_code == 403


def test_master_data_is_scoped_like_meetings(org, api_as, make_hospital, make_province, make_doctor):
    foreign = make_hospital(province=make_province())
    doctor = make_doctor(foreign)
    rep = api_as(org.rep)
    assert [h["id"] for h in rep.get("/hospitals").json] == [org.hospital.id]
    assert [h["id"] for h in rep.get(f"/hospitals?province_id={org.province.id}").json] == [org.hospital.id]
    assert rep.get(f"/doctors?hospital_id={foreign.id}").json == []
    assert rep.get(f"/hospitals/{foreign.id}").status_code == 404
    assert rep.get(f"/doctors/{doctor.id}").status_code == 404
    assert api_as(org.marketing).get(f"/doctors/{doctor.id}").status_code == 200
    bad = api_as(org.admin).post("/doctors", {"department_id": 99999, "name": "x",
                                              "title": "attending", "position": "outpatient"})
    assert bad.status_code == 422 and "department_id" in bad.json["errors"]
