"""Numbers that agree (issue 25, item 3): the dashboard, 预算与实际 (the
report page and its API), the budgets page and the province page show the
same allocated / drawn / actual / remaining for the same data, and the four
add up (docs/rules/9-budget.md)."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from meetings.extensions import db
from meetings.orgs.models import BudgetPool
from meetings.proposals.services import budget_period
from meetings.summary import services as summary

FIGURES = ("allocated", "drawn", "actual", "remaining")


def yuan(text: str) -> Decimal:
    """"¥12,300" / "-¥100" / "¥2,100.50" → Decimal."""
    text = re.sub(r"<[^>]+>", "", text).strip()
    sign = -1 if text.startswith("-") else 1
    return sign * Decimal(text.lstrip("-").lstrip("¥").replace(",", ""))


def budget_table(html: str, period: str) -> dict[str, Decimal]:
    """The figures of the budget row of `period` on a page (the shared table)."""
    table = html.split("budget-vs-actual", 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr data-pool=.*?</tr>", table, re.S):
        if f">{period}<" in row:
            return {key: yuan(re.search(rf'data-figure="{key}">(.*?)</td>', row, re.S)[1])
                    for key in FIGURES}
    raise AssertionError(f"no row for {period}")


def dashboard_row(html: str, period: str) -> dict[str, Decimal]:
    section = html.split('id="budget"', 1)[1].split("</section>", 1)[0]
    row = next(r for r in re.findall(r"<tr>.*?</tr>", section, re.S) if f">{period}<" in r)
    return {key: Decimal(re.search(rf'data-key="{key}" data-value="([^"]*)"', row)[1]) for key in FIGURES}


def test_the_dashboard_report_budgets_and_province_pages_agree(org, held, make_meeting, login, api_as):
    summarised = held()                        # approved 2000, then settled at 1500
    approved = make_meeting("approved")        # 2000 held by its approval
    period = budget_period(summarised)
    summary.save_summary(org.rep, summarised, organization="顺利",
                         actual_spend=[{"category": "gifts", "amount": Decimal("1500")}])
    db.session.commit()
    pool = db.session.scalar(select(BudgetPool).where(BudgetPool.province_id == org.province.id,
                                                      BudgetPool.period == period))
    same = budget_period(approved) == period
    expected = {"allocated": Decimal("50000.00"), "drawn": Decimal("2000.00" if same else "0.00"),
                "actual": Decimal("1500.00"), "remaining": pool.remaining}
    assert expected["allocated"] == expected["drawn"] + expected["actual"] + expected["remaining"]

    client = login(org.pm)  # one province: the dashboard's quarter is the province's
    seen = {
        "report page": budget_table(client.get(f"/reports/budgets?period={period}").get_data(as_text=True),
                                    period),
        "budgets page": budget_table(client.get("/admin/budgets").get_data(as_text=True), period),
        "province page": budget_table(
            client.get(f"/admin/provinces/{org.province.id}").get_data(as_text=True), period),
        "dashboard": dashboard_row(client.get("/dashboard").get_data(as_text=True), period),
    }
    api = next(r for r in api_as(org.pm).get(f"/reports/budgets?period={period}").json
               if r["province_id"] == org.province.id)
    seen["API"] = {key: Decimal(api[key]) for key in FIGURES}
    for where, figures in seen.items():
        assert figures == expected, where


def test_every_budget_page_uses_the_same_words(org, held, login):
    held()
    client = login(org.pm)
    pages = [client.get(path).get_data(as_text=True)
             for path in ("/reports/budgets", "/admin/budgets", f"/admin/provinces/{org.province.id}",
                          "/dashboard")]
    for page in pages:
        for word in ("预算额度", "审批占用", "实际花费", "余额"):
            assert word in page
        for old in ("已使用", "已批用", "审批已占用", "调整金额"):
            assert old not in page
