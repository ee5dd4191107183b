"""The prescription import (SPEC §9): both formats, BOM, re-import, and each
bad-row reason, reported by row (header = row 1), field and message."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from meetings.errors import Forbidden, InvalidInput
from meetings.extensions import db
from meetings.prescriptions import services
from meetings.prescriptions.models import Prescription


def csv_bytes(*lines, bom=False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(*rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored():
    return {(p.doctor_id, p.month, p.product): p.boxes
            for p in db.session.scalars(select(Prescription))}


@pytest.fixture
def doctors(org, make_doctor):
    return [make_doctor(org.hospital), make_doctor(org.hospital)]


def report_dict(report):
    return {k: getattr(report, k) for k in ("rows", "inserted", "updated", "unchanged")}


@pytest.mark.parametrize("bom", [False, True])
def test_csv_rows_are_stored_with_or_without_bom(org, doctors, bom):
    a, b = doctors
    data = csv_bytes("doctor_id,month,product,boxes", f"{a.id},2026-01,优立通,12",
                     f"{b.id},2026-01,优立通,0", bom=bom)
    report = services.import_file(org.marketing, data)
    assert report_dict(report) == {"rows": 2, "inserted": 2, "updated": 0, "unchanged": 0}
    assert report.errors == []
    assert stored() == {(a.id, "2026-01", "优立通"): 12, (b.id, "2026-01", "优立通"): 0}


def test_xlsx_reads_values_dates_and_formulas_as_values(org, doctors):
    a, _b = doctors
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Doctor_ID ", "month", "product", "boxes", "note"])
    sheet.append([a.id, "2026-02", "优立通", 7, "x"])
    sheet.append([float(a.id), date(2026, 3, 1), "优立通", 8.0, None])
    sheet.append([a.id, "2026-04", "优立通", "=1+1", None])  # no cached value: never evaluated
    out = io.BytesIO()
    book.save(out)
    report = services.import_file(org.admin, out.getvalue())
    assert report_dict(report) == {"rows": 3, "inserted": 2, "updated": 0, "unchanged": 0}
    assert [(e["row"], e["field"]) for e in report.errors] == [(4, "boxes")]
    assert report.errors[0]["message"] == "必填"  # the field is its own column of the report
    assert stored() == {(a.id, "2026-02", "优立通"): 7, (a.id, "2026-03", "优立通"): 8}


def test_reimport_changes_nothing_and_a_changed_row_is_updated(org, doctors):
    a, b = doctors
    lines = ["doctor_id,month,product,boxes", f"{a.id},2026-01,P,5", f"{b.id},2026-01,P,6"]
    services.import_file(org.marketing, csv_bytes(*lines))
    db.session.commit()
    again = services.import_file(org.marketing, xlsx_bytes(*(line.split(",") for line in lines)))
    assert report_dict(again) == {"rows": 2, "inserted": 0, "updated": 0, "unchanged": 2}
    lines[2] = f"{b.id},2026-01,P,9"
    changed = services.import_file(org.marketing, csv_bytes(*lines))
    assert report_dict(changed) == {"rows": 2, "inserted": 0, "updated": 1, "unchanged": 1}
    assert stored()[(b.id, "2026-01", "P")] == 9


def test_each_bad_row_is_reported_and_good_rows_are_stored(org, doctors):
    a, _b = doctors
    high = services.month_bounds()[1]
    y, m = map(int, high.split("-"))
    beyond = f"{y + (m == 12)}-{(m % 12) + 1:02d}"
    data = csv_bytes(
        "doctor_id,month,product,boxes",
        f"{a.id},2026-01,P,5",            # 2 good
        "abc,2026-01,P,5",                # 3 doctor_id not a number
        "999999,2026-01,P,5",             # 4 unknown doctor
        f"{a.id},2026-13,P,5",            # 5 bad month
        f"{a.id},1999-12,P,5",            # 6 before 2000-01
        f"{a.id},{beyond},P,5",           # 7 past 12 months ahead
        f"{a.id},2026-02,,5",             # 8 product missing
        f"{a.id},2026-02,P,-1",           # 9 negative
        f"{a.id},2026-02,P,2.5",          # 10 not whole
        f"{a.id},2026-01,P,6",            # 11 repeats row 2
        ",,,",                            # blank: not a data row
        f"{a.id},{high},P,1",             # 13 good: the last month allowed
        f"{a.id},2026-03,{'x' * 81},1",   # 14 product too long
    )
    report = services.import_file(org.marketing, data)
    assert report.rows == 12 and report.inserted == 2  # the blank line is no data row
    got = [(e["row"], e["field"]) for e in report.errors]
    assert got == [(3, "doctor_id"), (4, "doctor_id"), (5, "month"), (6, "month"), (7, "month"),
                   (8, "product"), (9, "boxes"), (10, "boxes"), (11, "product"), (14, "product")]
    assert report.errors_total == 10
    assert all(e["message"] for e in report.errors)
    assert stored() == {(a.id, "2026-01", "P"): 5, (a.id, high, "P"): 1}


def test_a_file_that_cannot_be_read_is_refused_whole(org, doctors):
    with pytest.raises(InvalidInput) as err:
        services.import_file(org.marketing, csv_bytes("doctor,month,boxes", "1,2026-01,2"))
    assert err.value.field == "file" and "product" in err.value.message
    with pytest.raises(InvalidInput):
        services.import_file(org.marketing, "doctor_id,month,product,boxes\n".encode("utf-16"))
    with pytest.raises(InvalidInput):
        services.import_file(org.marketing, b"PK\x03\x04not really a zip")
    with pytest.raises(InvalidInput):
        services.import_file(org.marketing, b"")
    assert stored() == {}


def test_row_and_size_bounds(org, doctors, monkeypatch):
    a, _b = doctors
    monkeypatch.setattr(services, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput, match="2") as err:
        services.import_file(org.marketing, csv_bytes(
            "doctor_id,month,product,boxes", *[f"{a.id},2026-0{i},P,1" for i in range(1, 4)]))
    assert err.value.field == "file"
    services.import_file(org.marketing, csv_bytes(  # two rows: within the bound
        "doctor_id,month,product,boxes", *[f"{a.id},2026-0{i},P,1" for i in range(1, 3)]))
    db.session.rollback()
    monkeypatch.setattr(services, "MAX_BYTES", 10)
    with pytest.raises(InvalidInput, match="MB") as err:
        services.import_file(org.marketing, csv_bytes("doctor_id,month,product,boxes"))
    assert err.value.field == "file"
    assert stored() == {}


def test_only_marketing_and_admin_import(org, doctors):
    with pytest.raises(Forbidden):
        services.import_file(org.rep, csv_bytes("doctor_id,month,product,boxes"))


def test_update_support_takes_the_last_three_imported_months(org, doctors):
    from meetings.actionlog import ActionLogEntry
    from meetings.doctors.services import grade_of

    a, b = doctors  # grade A: potential 200, support 100
    data = csv_bytes("doctor_id,month,product,boxes",
                     f"{a.id},2026-01,P,100", f"{a.id},2026-02,P,10", f"{a.id},2026-02,Q,5",
                     f"{a.id},2026-03,P,20", f"{a.id},2026-04,P,30",
                     f"{b.id},2026-04,P,100")
    report = services.import_file(org.marketing, data, refresh_support=True)
    db.session.commit()
    assert report.support_updated == 1  # b's 100 equals what it had
    db.session.refresh(a)
    assert str(a.support) == "21.67"  # (10 + 5, 20, 30) / 3; January is older than the last three
    assert grade_of(a).value == "B"  # 21.67 / 200 < 30 %: a competitor's VIP now
    entry = db.session.scalar(select(ActionLogEntry).where(ActionLogEntry.object_type == "doctor",
                                                           ActionLogEntry.object_id == a.id))
    assert entry.action == "support_update"
    assert entry.before["grade"] == "A" and entry.after["grade"] == "B" and entry.after["support"] == "21.67"


def test_without_update_support_support_stays(org, doctors):
    a, _b = doctors
    report = services.import_file(org.marketing, csv_bytes("doctor_id,month,product,boxes",
                                                           f"{a.id},2026-01,P,1"))
    assert report.support_updated is None
    db.session.refresh(a)
    assert a.support == 100
