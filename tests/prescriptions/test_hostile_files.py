"""Uploads built to exhaust or crash the prescription import (issue 32, 1):
every row read counts against the bound (blank or not, gaps included), the
shared-strings table and the XML parsed are bounded, cells far to the right
are not kept, and a damaged workbook is a 422 naming the file, never a 500.
The files are built here; benchmarks/hostile_imports.py measures time and
memory of the full-size ones."""
from __future__ import annotations

import io
import zipfile

import pytest

from meetings.errors import InvalidInput
from meetings.prescriptions import services, xlsx
from tests.prescriptions.test_api import upload

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>doctor_id</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>month</t></is></c>'
          '<c r="C1" t="inlineStr"><is><t>product</t></is></c>'
          '<c r="D1" t="inlineStr"><is><t>boxes</t></is></c></row>')
STYLES = (f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm"/></numFmts>'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')


def workbook(rows: str | bytes, strings: list[str] | bytes | None = None, header: bool = True) -> bytes:
    """A minimal XLSX (openpyxl reads it too) whose first sheet's sheetData is
    `rows` (after the header row), with a shared-strings part when given."""
    if isinstance(rows, str):
        rows = rows.encode()
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER if header else ""}'.encode() + rows
             + b"</sheetData></worksheet>")
    if isinstance(strings, list):
        strings = (f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                   + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>").encode()
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
             '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
             + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if strings is not None else "") + "</Types>")
    rels = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    book = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = (f'<Relationships xmlns="{PKG}">'
                 f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
                 + (f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                    if strings is not None else "") + "</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def good_row(n: int, doctor_id: int, month="2026-01", product="P", boxes=1) -> str:
    return (f'<row r="{n}"><c r="A{n}"><v>{doctor_id}</v></c><c r="B{n}" t="inlineStr"><is><t>{month}</t></is></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>{product}</t></is></c><c r="D{n}"><v>{boxes}</v></c></row>')


@pytest.fixture
def doctor(org, make_doctor):
    return make_doctor(org.hospital)


def test_the_minimal_workbook_reads_with_shared_strings_and_dates(org, doctor):
    rows = (good_row(2, doctor.id)
            + f'<row r="3"><c r="A3"><v>{doctor.id}</v></c><c r="B3" s="1"><v>46054</v></c>'  # 2026-02-01
              '<c r="C3" t="s"><v>0</v></c><c r="D3" t="str"><f>1+1</f><v>2</v></c></row>')
    report = services.import_file(org.marketing, workbook(rows, ["优立通"]))
    assert (report.rows, report.inserted, report.errors) == (2, 2, [])


def test_blank_rows_count_against_the_row_bound(org, doctor, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 50)
    with pytest.raises(InvalidInput, match="50") as err:
        services.import_file(org.marketing, workbook("<row/>" * 60 + good_row(62, doctor.id)))
    assert err.value.field == "file"
    # a jump in row numbers reads as the empty rows between: the same bound
    with pytest.raises(InvalidInput, match="50"):
        services.import_file(org.marketing, workbook(good_row(1_000_000, doctor.id)))
    # within the bound, blank rows are read and are no data rows
    report = services.import_file(org.marketing, workbook("<row/>" * 40 + good_row(42, doctor.id)))
    assert (report.rows, report.inserted) == (1, 1)


def test_a_csv_of_newlines_stops_at_the_row_bound(org):
    data = b"doctor_id,month,product,boxes\n" + b"\n" * 3_000_000
    with pytest.raises(InvalidInput, match=f"{services.MAX_ROWS}") as err:
        services.import_file(org.marketing, data)
    assert err.value.field == "file"


def test_the_shared_strings_table_is_bounded(org, doctor, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 10)
    with pytest.raises(InvalidInput, match="shared strings"):
        services.import_file(org.marketing, workbook(good_row(2, doctor.id), [f"s{i}" for i in range(11)]))
    report = services.import_file(org.marketing, workbook(good_row(2, doctor.id), [f"s{i}" for i in range(10)]))
    assert report.inserted == 1


def test_the_xml_parsed_is_bounded(org, doctor, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 200_000)
    whitespace = b" " * 300_000  # compresses to almost nothing
    with pytest.raises(InvalidInput, match="MB"):
        services.import_file(org.marketing, workbook(good_row(2, doctor.id).encode() + whitespace))
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 10_000_000)
    monkeypatch.setattr(xlsx, "MAX_PARSED_BYTES", 200_000)
    with pytest.raises(InvalidInput, match="MB"):
        services.import_file(org.marketing, workbook(good_row(2, doctor.id).encode() + whitespace))


def test_cells_past_the_last_column_read_are_not_kept():
    row = '<row r="2">' + "<c/>" * 5000 + '<c r="XFD2"><v>1</v></c></row>'
    rows = list(xlsx.first_sheet_rows(io.BytesIO(workbook(row)), 10))
    assert len(rows) == 2 and len(rows[1]) <= xlsx.MAX_COLUMNS


def test_a_doctype_is_refused(org):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b'<sst xmlns="' + MAIN.encode() + b'"><si><t>&lol;</t></si></sst>')
    with pytest.raises(InvalidInput, match="DOCTYPE"):
        services.import_file(org.marketing, workbook("", bomb))


DAMAGED = {
    "formula cell with text": '<row r="2"><c r="A2"><f>A1</f><v>#not a number</v></c></row>',
    "non-numeric value": '<row r="2"><c r="A2"><v>abc</v></c></row>',
    "unclosed worksheet": None,
    "bad date": '<row r="2"><c r="A2" t="d"><v>2026-13-45</v></c><c r="B2" s="1"><v>1e300</v></c></row>',
    "shared-string index past the table": '<row r="2"><c r="A2" t="s"><v>7</v></c></row>',
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_workbook_is_a_422_naming_the_file(org, api_as, case):
    if DAMAGED[case] is None:
        data = workbook(good_row(2, 1))
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                part = src.read(info.filename)
                if info.filename.endswith("sheet1.xml"):
                    part = part.replace(b"</sheetData></worksheet>", b"<row r=\"3\"><c")
                dst.writestr(info.filename, part)
        data = out.getvalue()
    else:
        data = workbook(DAMAGED[case], ["only one"])
    response = upload(api_as(org.marketing), data, filename="p.xlsx")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "file" in response.json["errors"]


def test_a_row_of_more_cells_than_excel_has_columns_is_refused(org, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROW_CELLS", 100)
    with pytest.raises(InvalidInput, match="100"):
        services.import_file(org.marketing, workbook("<row>" + "<c/>" * 101 + "</row>"))


def test_the_cells_of_a_sheet_are_bounded(org, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100)
    with pytest.raises(InvalidInput, match="100"):
        services.import_file(org.marketing, workbook("<row><c/><c/><c/></row>" * 40))


def test_the_xml_elements_of_a_part_are_bounded(org, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 1000)
    with pytest.raises(InvalidInput, match="1000"):
        services.import_file(org.marketing, workbook("<row>" + "<x/>" * 1000 + "</row>"))
    with pytest.raises(InvalidInput, match="1000"):
        services.import_file(org.marketing, workbook("", b"<sst><si>" + b"<r/>" * 1000 + b"</si></sst>"))
