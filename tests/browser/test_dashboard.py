"""A provincial manager's dashboard in a real browser, on a phone and on a
desktop: the charts draw (canvas with pixels), the tables carry the figures;
an export downloads and opens with openpyxl."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from meetings.extensions import db
from tests.reports.conftest import held, make_team  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# Whether a canvas has any non-transparent pixel: Chart.js drew on it.
DRAWN = """canvas => {
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


@pytest.fixture
def province(org, make_team, held, make_doctor):  # noqa: F811
    team = make_team(use_org=True)
    a, a2, c = make_doctor(org.hospital, "A"), make_doctor(org.hospital, "A"), make_doctor(org.hospital, "C")
    held(team, primaries=[a, c], backups={a: a2}, present=[a, c], walk_ins=["王护士"], spend="900")
    held(team, primaries=[c], present=[])
    db.session.commit()
    return team


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_a_provincial_manager_sees_the_charts_draw(org, province, live_server, new_page, log_in, phone,
                                                   tmp_path):
    from playwright.sync_api import expect

    page = new_page(phone=phone)
    if not phone:
        page.set_viewport_size({"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, org.pm)
    page.goto(live_server.url + "/")
    page.wait_for_url(lambda url: url.endswith("/dashboard"))
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_be_visible()
    assert canvases.count() >= 4
    for i in range(canvases.count()):
        canvas = canvases.nth(i)
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 150
        if phone:
            assert box["width"] <= 390
        page.wait_for_function(DRAWN, arg=canvas.element_handle())
    # the scorecard distribution: its chart drew, and its table has the five bands
    scores = page.locator("#score-distribution")
    expect(scores.locator("canvas[data-chart]")).to_have_count(1)
    page.wait_for_function(DRAWN, arg=scores.locator("canvas").element_handle())
    bands = scores.locator("table tbody tr")
    expect(bands).to_have_count(5)
    assert sum(int(n) for n in scores.locator("td[data-key=meetings]").all_inner_texts()) == 2
    # the figures are in tables too, and the page does not scroll sideways on a phone
    expect(page.locator("#rates-by-rep table td[data-key=attendance_rate]").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (390 if phone else 1280)
    assert errors == []
    page.screenshot(path=str(tmp_path / f"dashboard-{390 if phone else 1280}.png"), full_page=True)


def test_the_meeting_list_export_downloads_and_opens(org, province, live_server, new_page, log_in):
    page = new_page()
    log_in(page, org.pm)
    page.goto(live_server.url + "/meetings")
    with page.expect_download() as info:
        page.locator("#list-export a[href*='export.xlsx']").click()
    download = info.value
    # the browser takes the RFC 5987 name: the day and what it holds, in Chinese
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-会议列表\.xlsx", download.suggested_filename)
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "会议编号" and len(rows) == 3
