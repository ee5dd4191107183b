"""The dashboards: each role's landing page, figures equal to the API's."""
import json
from decimal import Decimal
import re
from html.parser import HTMLParser

from meetings.auth.models import Role
from meetings.questions.models import Question
from meetings.extensions import db
from tests.conftest import PASSWORD

from .conftest import local
from .test_services import world  # noqa: F401  (fixture)


class Sections(HTMLParser):
    """section id → {"rows": [{"_name": th, key: data-value…}], "chart": JSON or None}."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.sections, self.scripts = {}, []
        self._section = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self._section = self.sections.setdefault(a["id"], {"rows": [], "chart": None})
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "canvas" and self._section is not None:
            self._section["chart"] = json.loads(a["data-chart"])
        elif self._section is not None and tag == "tr" and self._row is None:
            self._row = {}
        elif self._row is not None and tag == "td":
            self._row[a["data-key"]] = a["data-value"]
        elif self._row is not None and tag == "th" and a.get("scope") == "row":
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag == "th" and self._cell is not None:
            self._row["_name"] = self._cell.strip()
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if len(self._row) > 0 and "_name" in self._row:
                self._section["rows"].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None


def log_in(client, user):
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def same(page_value: str, api_value) -> bool:
    if api_value is None:
        return page_value == ""
    if isinstance(api_value, float):
        return float(page_value) == api_value
    return page_value == str(api_value)


def test_a_provincial_manager_lands_on_a_dashboard_whose_figures_are_the_apis(org, world, client, api_as):  # noqa: F811
    log_in(client, org.pm)
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/dashboard")
    start, end = local(-30).date(), local(60).date()
    page = client.get(f"/dashboard?from={start}&to={end}")
    assert page.status_code == 200
    sections = Sections(page.get_data(as_text=True))
    assert {"budget", "rates-by-rep", "overdue", "by-month"} <= set(sections.sections)
    api = api_as(org.pm).get(f"/reports/meetings?group_by=rep&from={start}&to={end}").json
    rows = sections.sections["rates-by-rep"]["rows"]
    assert [r["_name"] for r in rows] == [a["key"]["name"] for a in api]
    for shown, row in zip(rows, api):
        compared = [k for k in shown if k != "_name"]
        assert len(compared) >= 12
        assert all(same(shown[k], row[k]) for k in compared), (shown, row)
    chart = sections.sections["rates-by-rep"]["chart"]
    assert chart["labels"] == [a["key"]["name"] for a in api]
    rates = {d["label"]: d["data"] for d in chart["datasets"]}
    assert rates["到会率"] == [None if a["attendance_rate"] is None else round(a["attendance_rate"] * 100, 1)
                            for a in api]
    months = api_as(org.pm).get(f"/reports/meetings?group_by=month&from={start}&to={end}").json
    assert [int(r["meetings_held"]) for r in sections.sections["by-month"]["rows"]] == \
        [m["meetings_held"] for m in months]


def test_budget_section_shows_the_visible_pools(org, world, client):  # noqa: F811
    from meetings.orgs.models import BudgetPool
    from meetings.reports.dashboards import quarters
    from meetings.reports.services import Period
    log_in(client, org.pm)
    start, end = local(-30).date(), local(60).date()
    rows = Sections(client.get(f"/dashboard?from={start}&to={end}").get_data(as_text=True)).sections["budget"]["rows"]
    pools = {p.period: p for p in db.session.query(BudgetPool).filter_by(province_id=org.province.id)
             if p.period in quarters(Period(start, end))}
    # the pool's use is drawn (not settled) + actual (settled): docs/rules/9-budget.md
    assert {r["_name"]: (r["allocated"], str(Decimal(r["drawn"]) + Decimal(r["actual"])), r["remaining"])
            for r in rows} == \
        {p: (str(pool.amount), str(pool.spent), str(pool.remaining)) for p, pool in pools.items()}


def test_a_regional_manager_sees_rates_by_province(org, world, client, api_as):  # noqa: F811
    log_in(client, org.rm)
    sections = Sections(client.get("/dashboard").get_data(as_text=True)).sections
    api = api_as(org.rm).get("/reports/meetings?group_by=province").json
    shown = {r["_name"] for r in sections["rates-by-province"]["rows"]}
    assert shown <= {a["key"]["name"] for a in api} and org.province.name in shown


def test_a_rep_gets_their_own_dashboard_with_this_weeks_followups(org, world, client):  # noqa: F811
    log_in(client, org.rep)
    assert client.get("/").headers["Location"].endswith("/dashboard")
    sections = Sections(client.get("/dashboard").get_data(as_text=True)).sections
    assert set(sections) == {"by-month", "due-this-week"}


def test_marketing_sees_questions_and_answer_times(org, world, client, api_as):  # noqa: F811
    from meetings.questions import services as questions
    db.session.add(Question(meeting_id=world.m1.id, text="剂量？"))
    db.session.add(Question(meeting_id=world.m2.id, text="副作用？"))
    db.session.commit()
    first = db.session.query(Question).order_by(Question.id).first()
    questions.answer(org.marketing, first, answer="见说明书")
    db.session.commit()
    log_in(client, org.marketing)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "1" in re.search(r'id="open-questions">([^<]*)<', html).group(1)
    rows = Sections(html).sections["questions"]["rows"]
    assert sum(int(r["asked"]) for r in rows) == 2
    assert sum(int(r["open"]) for r in rows) == 1 and sum(int(r["answered"]) for r in rows) == 1


def test_staff_and_admin_land_on_the_meeting_list(org, client):
    for user in (org.staff, org.admin):
        log_in(client, user)
        assert client.get("/").headers["Location"].endswith("/meetings")


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(org, client):
    log_in(client, org.pm)
    page = client.get("/dashboard?from=2026-12-01&to=2026-11-01")
    assert page.status_code == 422
    assert "is-invalid" in page.get_data(as_text=True)


def test_the_page_has_no_inline_script_and_serves_chart_js_locally(org, world, client):  # noqa: F811
    log_in(client, org.pm)
    parsed = Sections(client.get("/dashboard").get_data(as_text=True))
    for script in parsed.scripts:
        assert script.get("src"), script
    sources = [s["src"] for s in parsed.scripts if s.get("src")]
    assert any(src.endswith("/static/vendor/chart-4.5.1.umd.js") for src in sources)
    assert all(src.startswith("/") for src in sources)
    assert client.get("/static/vendor/chart-4.5.1.umd.js").status_code == 200


def test_the_dashboard_link_is_in_the_menu_of_those_it_is_for(org, client, make_user):
    log_in(client, org.staff)
    assert 'href="/dashboard"' not in client.get("/meetings").get_data(as_text=True)
    log_in(client, make_user(Role.regional_manager, region=org.region))
    assert 'href="/dashboard"' in client.get("/meetings").get_data(as_text=True)


def test_the_templates_have_no_inline_script():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "templates"
    for name in ("reports/dashboard.html", "exports/calendar.html"):
        html = (root / name).read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.search(r"\son[a-z]+=", html), name


def test_the_scorecard_distribution_equals_the_apis_scorecards_banded(org, world, client, api_as):  # noqa: F811
    """Each visible held meeting's GET /meetings/{id}/scorecard percent, put in
    its band, gives the dashboard's table and chart; with the unscored ones
    they are the report API's meetings held. The period filter holds."""
    from .test_services import band_of

    log_in(client, org.pm)
    api = api_as(org.pm)
    for start, end, meetings in ((local(-30).date(), local(60).date(), [world.m1, world.m2, world.later]),
                                 (local(0).date(), local(10).date(), [world.m1, world.m2])):
        section = Sections(client.get(f"/dashboard?from={start}&to={end}").get_data(as_text=True)) \
            .sections["score-distribution"]
        percents = [api.get(f"/meetings/{m.id}/scorecard").json["percent"] for m in meetings]
        assert any(p is not None for p in percents), "the fixture's meetings are scored"
        bands = [sum(1 for p in percents if p is not None and band_of(p) == i) for i in range(5)]
        assert [r["_name"] for r in section["rows"]] == ["0–20 %", "20–40 %", "40–60 %", "60–80 %",
                                                         "80–100 %"]
        assert [int(r["meetings"]) for r in section["rows"]] == bands
        assert section["chart"]["labels"] == [r["_name"] for r in section["rows"]]
        assert section["chart"]["datasets"][0]["data"] == bands
        report = api.get(f"/reports/meetings?group_by=rep&from={start}&to={end}").json
        unscored = sum(1 for p in percents if p is None)
        assert sum(bands) + unscored == sum(r["meetings_held"] for r in report) == len(meetings)


def test_a_regional_manager_has_the_scorecard_distribution_too(org, world, client):  # noqa: F811
    log_in(client, org.rm)
    sections = Sections(client.get("/dashboard").get_data(as_text=True)).sections
    assert "score-distribution" in sections
