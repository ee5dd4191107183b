"""PATCH on hospitals, departments and doctors changes only what is sent."""
from decimal import Decimal


def test_patch_sends_only_the_changed_fields(api_as, org, make_doctor):
    doctor = make_doctor(org.hospital, grade="D")
    api = api_as(org.admin)
    response = api.patch(f"/hospitals/{org.hospital.id}", json={"city": "苏州"})
    assert response.status_code == 200, response.json
    assert response.json["city"] == "苏州" and response.json["name"] == org.hospital.name
    response = api.patch(f"/departments/{org.department.id}", json={"name": "心血管科"})
    assert response.status_code == 200, response.json
    assert response.json["headcount"] == 30  # not reset to the creation default
    response = api.patch(f"/doctors/{doctor.id}", json={"potential": "300", "support": "150"})
    assert response.status_code == 200, response.json
    assert response.json["grade"] == "A" and Decimal(str(response.json["potential"])) == 300


def test_patch_still_validates_what_is_sent(api_as, org):
    response = api_as(org.admin).patch(f"/hospitals/{org.hospital.id}", json={"level": "huge"})
    assert response.status_code == 422
    assert "level" in response.json["errors"]
