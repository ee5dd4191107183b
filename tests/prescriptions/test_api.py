import io

import openpyxl

from meetings.extensions import db
from tests.prescriptions.test_import import csv_bytes


def upload(api, data, filename="p.csv", **form):
    return api.client.post("/api/v1/prescriptions/import", headers=api._headers(),
                           data={"file": (io.BytesIO(data), filename), **form},
                           content_type="multipart/form-data")


def test_marketing_imports_and_gets_the_report(org, make_doctor, api_as):
    doctor = make_doctor(org.hospital)
    api = api_as(org.marketing)
    data = csv_bytes("doctor_id,month,product,boxes", f"{doctor.id},2026-05,P,4", "x,2026-05,P,4")
    response = upload(api, data)
    assert response.status_code == 200, response.json
    body = response.json
    assert {k: body[k] for k in ("rows", "inserted", "updated", "unchanged")} == \
        {"rows": 2, "inserted": 1, "updated": 0, "unchanged": 0}
    assert body["errors"] == [{"row": 3, "field": "doctor_id", "message": "not a whole number"}]
    again = upload(api, data, update_support="true").json
    assert again["unchanged"] == 1 and again["support_updated"] == 1


def test_import_refusals(org, api_as):
    assert upload(api_as(org.rep), b"doctor_id,month,product,boxes\n").status_code == 403
    api = api_as(org.admin)
    missing = api.client.post("/api/v1/prescriptions/import", headers=api._headers(), data={},
                              content_type="multipart/form-data")
    assert missing.status_code == 422
    bad = upload(api, b"not,a,header\n")
    assert bad.status_code == 422 and "file" in bad.json["errors"]
    assert upload(api_as(), b"").status_code == 401


def test_list_filters_and_visibility(org, make_doctor, make_hospital, api_as):
    from meetings.prescriptions.services import import_file

    mine = make_doctor(org.hospital)
    elsewhere = make_doctor(make_hospital())
    import_file(org.admin, csv_bytes("doctor_id,month,product,boxes",
                                     f"{mine.id},2026-01,P,1", f"{mine.id},2026-02,P,2",
                                     f"{mine.id},2026-02,Q,3", f"{elsewhere.id},2026-02,P,9"))
    db.session.commit()
    rows = api_as(org.marketing).get("/prescriptions").json
    assert len(rows) == 4
    assert rows[0] == {"doctor_id": mine.id, "month": "2026-01", "product": "P", "boxes": 1}
    rep = api_as(org.rep)
    assert [r["boxes"] for r in rep.get("/prescriptions").json] == [1, 2, 3]
    got = rep.get(f"/prescriptions?doctor_id={mine.id}&product=P&from=2026-02&to=2026-02").json
    assert got == [{"doctor_id": mine.id, "month": "2026-02", "product": "P", "boxes": 2}]
    assert rep.get("/prescriptions?from=2026-13").status_code == 422


def test_template_is_an_xlsx_with_the_columns(org, api_as):
    response = api_as(org.rep).get("/prescriptions/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == ["doctor_id", "month", "product", "boxes"]
