"""Exports (SPEC §9): BOM, Chinese headers and words, no formulas, the
list's filters and visibility, one row per counting check-in, the log."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from meetings.actionlog import ActionLogEntry
from meetings.auth.models import Role
from meetings.exports.writers import csv_chunks, neutralise
from meetings.extensions import db
from tests.conftest import PASSWORD



@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://x","y")'])
def test_a_cell_that_could_run_as_a_formula_is_quoted(text):
    assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise("王医生") == "王医生"
    assert neutralise(-5) == -5 and neutralise(Decimal("-1.50")) == Decimal("-1.50")
    assert neutralise(None) == ""


def test_csv_streams_in_chunks_with_the_bom_first():
    chunks = list(csv_chunks(["甲"], ([i] for i in range(1000))))
    assert len(chunks) > 2
    assert chunks[0].startswith("\ufeff甲".encode())


@pytest.fixture
def exported(org, make_team, make_user, held, make_meeting, make_doctor):
    """Meetings in two provinces; one has a hostile topic and walk-in name."""
    class E:
        pass
    e = E()
    e.other = make_team()
    doctor = make_doctor(org.hospital, "C")
    e.mine = held(make_team(use_org=True), primaries=[doctor], present=[doctor],
                  walk_ins=["=cmd|' /C calc'!A0"], spend="900")
    e.mine.topic = "=HYPERLINK(\"http://evil\",\"点我\")"
    e.draft = make_meeting("draft")
    guest = make_doctor(e.other.hospital, "C")
    e.theirs = held(e.other, primaries=[guest], walk_ins=["李"])
    db.session.commit()
    return e


def read_csv(response):
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_meeting_list_csv_has_chinese_headers_words_and_no_formula(org, exported, api_as):
    rows = read_csv(api_as(org.pm).get("/meetings/export.csv"))
    assert rows[0][:4] == ["会议编号", "会议主题", "状态", "开始时间"]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert set(by_id) == {exported.mine.id, exported.draft.id}  # not the other province's
    mine = by_id[exported.mine.id]
    assert mine[1] == "'" + exported.mine.topic
    assert mine[2] == "已总结" and by_id[exported.draft.id][2] == "草稿"
    assert mine[-1] == "900.00" and by_id[exported.draft.id][-1] == ""


def test_meeting_list_xlsx_opens_and_keeps_the_filters(org, exported, api_as):
    rows = read_xlsx(api_as(org.admin).get("/meetings/export.xlsx?status=summarized"))
    assert rows[0][0] == "会议编号"
    assert {r[0] for r in rows[1:]} == {exported.mine.id}
    mine = next(r for r in rows if r[0] == exported.mine.id)
    assert mine[1].startswith("'=")
    province = api_as(org.admin).get(f"/meetings/export.xlsx?province_id={exported.other.province.id}")
    assert [r[0] for r in read_xlsx(province)[1:]] == [exported.theirs.id]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_is_written_after_its_request_has_committed_the_log_entry(org, exported, api_as, fmt):
    # the entry is committed before the file is streamed, and a CSV is written
    # after the request, in a new database session (tests.conftest.ServerLikeClient
    # runs requests as a server does): the rows must not need the request's objects
    pm = api_as(org.pm)
    response = pm.get(f"/meetings/export.{fmt}")
    assert response.status_code == 200
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert str(exported.mine.id) in [str(row[0]) for row in rows[1:]]
    attendance = pm.get(f"/meetings/{exported.mine.id}/attendance.{fmt}")
    assert attendance.status_code == 200 and attendance.data


def test_the_pages_export_after_the_request_too(org, exported, client):
    client.post("/login", data={"username": org.pm.username, "password": PASSWORD})
    rows = read_csv(client.get("/meetings/export.csv"))
    assert str(exported.mine.id) in [row[0] for row in rows[1:]]
    assert len(read_csv(client.get(f"/meetings/{exported.mine.id}/attendance.csv"))) == 3


def test_exports_are_not_paged(org, make_meeting, api_as):
    for _ in range(3):
        make_meeting("draft")
    rows = read_csv(api_as(org.rep).get("/meetings/export.csv?page_size=1&page=1"))
    assert len(rows) == 4


def test_attendance_export_is_one_row_per_checkin_and_respects_visibility(org, exported, api_as):
    rows = read_csv(api_as(org.rep).get(f"/meetings/{exported.mine.id}/attendance.csv"))
    assert rows[0][:2] == ["姓名", "职称"]
    assert len(rows) == 3
    assert "'=cmd|' /C calc'!A0" in [r[0] for r in rows[1:]]
    assert {r[3] for r in rows[1:]} == {"是", "否"}  # invited: words, not booleans
    xlsx = read_xlsx(api_as(org.rep).get(f"/meetings/{exported.mine.id}/attendance.xlsx"))
    assert len(xlsx) == 3
    other = api_as(org.rep).get(f"/meetings/{exported.theirs.id}/attendance.csv")
    assert other.status_code == 404
    assert api_as().get(f"/meetings/{exported.mine.id}/attendance.csv").status_code == 401


def test_each_export_is_recorded(org, exported, api_as):
    api_as(org.pm).get("/meetings/export.xlsx?status=held")
    api_as(org.rep).get(f"/meetings/{exported.mine.id}/attendance.csv")
    entries = db.session.scalars(select(ActionLogEntry).where(ActionLogEntry.action == "export")
                                 .order_by(ActionLogEntry.id)).all()
    assert [(e.actor_id, e.object_id) for e in entries] == [(org.pm.id, None), (org.rep.id, exported.mine.id)]
    assert entries[0].after["status"] == "held" and entries[0].after["format"] == "xlsx"


def test_export_buttons_on_the_pages_download_the_same_files(org, exported, client, make_user):
    client.post("/login", data={"username": org.pm.username, "password": PASSWORD})
    page = client.get("/meetings?status=summarized").get_data(as_text=True)
    assert "/meetings/export.xlsx?status=summarized" in page
    rows = read_xlsx(client.get("/meetings/export.xlsx?status=summarized"))
    assert [r[0] for r in rows[1:]] == [exported.mine.id]
    detail = client.get(f"/meetings/{exported.mine.id}").get_data(as_text=True)
    assert f"/meetings/{exported.mine.id}/attendance.xlsx" in detail
    assert len(read_csv(client.get(f"/meetings/{exported.mine.id}/attendance.csv"))) == 3
    assert client.get(f"/meetings/{exported.theirs.id}/attendance.csv").status_code == 404
    stranger = make_user(Role.rep, province=exported.other.province)
    client.post("/logout")
    client.post("/login", data={"username": stranger.username, "password": PASSWORD})
    assert client.get(f"/meetings/{exported.mine.id}/attendance.xlsx").status_code == 404
    assert len(read_csv(client.get("/meetings/export.csv"))) == 1  # only the header


# ---------------------------------------------------------------- issue 25, item 10

def test_xlsx_has_a_frozen_bold_header_column_widths_and_money_formats(org, exported, api_as):
    response = api_as(org.admin).get("/meetings/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["B"].width >= 30  # the topic
    header = [c.value for c in sheet[1]]
    budget = header.index("预算合计（元）") + 1 if "预算合计（元）" in header else len(header) - 1
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == exported.mine.id)
    assert row[budget - 1].number_format == "#,##0.00" and isinstance(row[budget - 1].value, (int, float))
    assert row[3].number_format == "yyyy-mm-dd hh:mm"


def test_file_names_say_the_day_the_topic_and_what_they_hold(org, make_meeting, api_as):
    from urllib.parse import unquote

    from meetings.types import local_date

    meeting = make_meeting("held", topic="😀 降压新药沙龙/第2期")
    disposition = api_as(org.rep).get(f"/meetings/{meeting.id}/attendance.xlsx").headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="attendance-{meeting.id}.xlsx"; filename*=UTF-8\'\'')
    name = unquote(disposition.split("UTF-8''", 1)[1])
    assert name == f"{local_date(meeting.starts_at):%Y-%m-%d}-😀 降压新药沙龙第2期-签到.xlsx"
    listed = api_as(org.rep).get("/meetings/export.csv").headers["Content-Disposition"]
    assert unquote(listed.split("UTF-8''", 1)[1]).endswith("-会议列表.csv")


def test_the_pages_attendance_export_lists_invited_doctors_who_did_not_come(org, make_meeting, make_doctor,
                                                                             client):
    came, stayed_away = make_doctor(org.hospital, "C", name="甲医生"), make_doctor(org.hospital, "C", name="乙医生")
    meeting = make_meeting("held", primaries=[came, stayed_away], present=[came])
    client.post("/login", data={"username": org.rep.username, "password": PASSWORD})
    rows = read_csv(client.get(f"/meetings/{meeting.id}/attendance.csv"))
    assert rows[0][-1] == "到会情况"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["甲医生"][-1] == "到会" and by_name["乙医生"][-1] == "缺席"
    assert by_name["乙医生"][5] == ""  # no sign-in time
