"""Regions, provinces and budget pools as pages."""
from decimal import Decimal

from sqlalchemy import func, select

from meetings.actionlog import ActionLogEntry
from meetings.extensions import db
from meetings.orgs.models import BudgetPool, Province, Region
from tests.conftest import PASSWORD


def login(client, user):
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def pools(province_id):
    return db.session.scalar(select(func.count()).select_from(BudgetPool)
                             .where(BudgetPool.province_id == province_id))


def test_admin_creates_a_region_then_a_province_and_a_budget_and_sees_remaining(client, org):
    login(client, org.admin)
    assert client.post("/admin/regions", data={"name": "华东"}).status_code == 302
    region = db.session.scalar(select(Region).where(Region.name == "华东"))
    assert "华东" in client.get("/admin/regions").get_data(as_text=True)

    response = client.post("/admin/provinces/new", data={
        "name": "江苏", "region_id": str(region.id), "approval_limit": "8000"})
    assert response.status_code == 302
    province = db.session.scalar(select(Province).where(Province.name == "江苏"))
    assert province.approval_limit == Decimal("8000.00")
    assert response.headers["Location"].endswith(f"/admin/provinces/{province.id}")

    response = client.post(f"/admin/provinces/{province.id}/budgets",
                           data={"period": "2026-Q4", "amount": "120000"})
    assert response.status_code == 302
    page = client.get(f"/admin/provinces/{province.id}").get_data(as_text=True)
    assert "2026-Q4" in page and "¥120,000" in page  # allocated and remaining
    assert "¥8,000" in page


def test_remaining_is_allocated_minus_spent(client, org, make_province):
    province = make_province(region=org.region, budgets={"2026-Q4": "10000"})
    pool = db.session.scalar(select(BudgetPool).where(BudgetPool.province_id == province.id))
    pool.spent = Decimal("2500")
    db.session.commit()
    login(client, org.admin)
    page = client.get(f"/admin/provinces/{province.id}").get_data(as_text=True)
    assert "¥10,000" in page and "¥2,500" in page and "¥7,500" in page  # allocated, drawn, remaining


def test_a_bad_amount_is_shown_beside_the_field_and_nothing_is_written(client, org):
    login(client, org.admin)
    before = pools(org.province.id)
    for amount in ("abc", "-5", ""):
        response = client.post(f"/admin/provinces/{org.province.id}/budgets",
                               data={"period": "2031-Q1", "amount": amount})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'is-invalid' in html and "invalid-feedback" in html and "Traceback" not in html
        assert 'value="2031-Q1"' in html  # the typed period stays
    assert pools(org.province.id) == before


def test_a_bad_period_or_a_taken_one_is_refused(client, org):
    login(client, org.admin)
    existing = org.province.budgets[0].period
    response = client.post(f"/admin/provinces/{org.province.id}/budgets",
                           data={"period": "Q4 2026", "amount": "100"})
    assert response.status_code == 422 and "2026-Q4" in response.get_data(as_text=True)
    response = client.post(f"/admin/provinces/{org.province.id}/budgets",
                           data={"period": existing, "amount": "100"})
    assert response.status_code == 422
    assert "已有预算" in response.get_data(as_text=True)


def test_admin_changes_a_pool_amount_and_it_is_audited(client, org):
    pool = org.province.budgets[0]
    login(client, org.admin)
    response = client.post(f"/admin/provinces/{org.province.id}/budgets/{pool.id}", data={"amount": "777"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BudgetPool, pool.id).amount == Decimal("777.00")
    entry = db.session.scalar(select(ActionLogEntry).where(
        ActionLogEntry.object_type == "budget", ActionLogEntry.action == "set_amount"))
    assert (entry.object_id, entry.before, entry.after) == (pool.id, {"amount": "50000.00"}, {"amount": "777.00"})


def test_a_pool_cannot_drop_below_what_is_spent(client, org):
    pool = org.province.budgets[0]
    pool.spent = Decimal("3000")
    db.session.commit()
    login(client, org.admin)
    response = client.post(f"/admin/provinces/{org.province.id}/budgets/{pool.id}", data={"amount": "100"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "低于已使用的金额" in html and "is-invalid" in html
    db.session.expire_all()
    assert db.session.get(BudgetPool, pool.id).amount == Decimal("50000.00")


def test_admin_edits_a_province(client, org):
    login(client, org.admin)
    form = client.get(f"/admin/provinces/{org.province.id}/edit").get_data(as_text=True)
    assert 'name="csrf_token"' in form and org.province.name in form
    response = client.post(f"/admin/provinces/{org.province.id}/edit", data={
        "name": "浙江", "region_id": str(org.region.id), "approval_limit": "9000"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Province, org.province.id).approval_limit == Decimal("9000.00")


def test_a_negative_approval_limit_is_refused(client, org):
    login(client, org.admin)
    response = client.post("/admin/provinces/new", data={
        "name": "安徽", "region_id": str(org.region.id), "approval_limit": "-1"})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(select(Province).where(Province.name == "安徽")) is None


def test_a_duplicate_region_is_refused_beside_the_name(client, org):
    login(client, org.admin)
    response = client.post("/admin/regions", data={"name": org.region.name})
    assert response.status_code == 422
    assert "已存在" in response.get_data(as_text=True)


def test_non_admins_get_403_on_admin_pages(client, org):
    pool = org.province.budgets[0]
    for user in (org.rep, org.pm, org.rm, org.staff, org.marketing):
        login(client, user)
        assert client.get("/admin/regions").status_code == 403
        assert client.post("/admin/regions", data={"name": "x"}).status_code == 403
        assert client.get("/admin/provinces/new").status_code == 403
        assert client.get(f"/admin/provinces/{org.province.id}/edit").status_code == 403
        assert client.post(f"/admin/provinces/{org.province.id}/budgets",
                           data={"period": "2031-Q1", "amount": "1"}).status_code == 403
        assert client.post(f"/admin/provinces/{org.province.id}/budgets/{pool.id}",
                           data={"amount": "1"}).status_code == 403
        client.post("/logout")
    assert pools(org.province.id) == len(org.province.budgets)


def test_managers_read_their_budgets_without_edit_forms(client, org):
    for user in (org.pm, org.rm, org.marketing):
        login(client, user)
        page = client.get(f"/admin/provinces/{org.province.id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert org.province.budgets[0].period in html
        assert "/budgets" not in html.split("</nav>", 1)[1]  # no allocate / change forms
        overview = client.get("/admin/budgets").get_data(as_text=True)
        assert org.province.name in overview
        client.post("/logout")


def test_managers_do_not_see_other_provinces_budgets(client, org, make_province, make_region, make_user):
    other = make_province(region=make_region())
    for user in (org.pm, org.rm):
        login(client, user)
        assert client.get(f"/admin/provinces/{other.id}").status_code == 403
        assert other.name not in client.get("/admin/budgets").get_data(as_text=True)
        client.post("/logout")
    for user in (org.rep, org.staff):
        login(client, user)
        assert client.get(f"/admin/provinces/{org.province.id}").status_code == 403
        assert client.get("/admin/budgets").status_code == 403
        client.post("/logout")


def test_nav_shows_regions_to_admin_and_budgets_to_managers(client, org):
    login(client, org.admin)
    html = client.get("/admin/budgets").get_data(as_text=True)
    assert 'href="/admin/regions"' in html and 'href="/admin/budgets"' in html
    client.post("/logout")
    login(client, org.pm)
    html = client.get("/admin/budgets").get_data(as_text=True)
    assert 'href="/admin/regions"' not in html and 'href="/admin/budgets"' in html


def test_unknown_province_is_404(client, org):
    login(client, org.admin)
    assert client.get("/admin/provinces/9999").status_code == 404
    assert client.post("/admin/provinces/9999/budgets", data={"period": "2031-Q1", "amount": "1"}).status_code == 404
