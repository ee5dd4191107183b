def test_admin_builds_the_organisation(org, api_as):
    admin = api_as(org.admin)
    region = admin.post("/regions", {"name": "华南大区"})
    assert region.status_code == 201
    province = admin.post("/provinces", {"name": "广东省区", "region_id": region.json["id"],
                                         "approval_limit": "8000"})
    assert province.status_code == 201 and province.json["approval_limit"] == "8000.00"
    pid = province.json["id"]
    budget = admin.post(f"/provinces/{pid}/budgets", {"period": "2026-Q4", "amount": "100000"})
    assert budget.status_code == 201
    assert budget.json["allocated"] == "100000.00" and budget.json["remaining"] == "100000.00"
    assert admin.get(f"/provinces/{pid}/budgets/{budget.json['id']}").status_code == 200
    again = admin.post(f"/provinces/{pid}/budgets", {"period": "2026-Q4", "amount": "1"})
    assert again.status_code == 409
    assert admin.post(f"/provinces/{pid}/budgets", {"period": "2026Q4", "amount": "1"}).status_code == 422
    assert admin.post(f"/provinces/{pid}/budgets", {"period": "2026-Q1", "amount": "-1"}).status_code == 422
    assert admin.get(f"/provinces/{pid}").json["name"] == "广东省区"
    assert admin.get("/provinces/99999").status_code == 404


def test_budget_amount_cannot_drop_below_spent(org, api_as, make_meeting):
    make_meeting("approved")
    admin = api_as(org.admin)
    pools = admin.get(f"/provinces/{org.province.id}/budgets").json
    spent = next(p for p in pools if p["spent"] != "0.00")
    response = admin.patch(f"/provinces/{org.province.id}/budgets/{spent['id']}", {"amount": "100"})
    assert response.status_code == 409
    ok = admin.patch(f"/provinces/{org.province.id}/budgets/{spent['id']}", {"amount": "2000"})
    assert ok.status_code == 200 and ok.json["remaining"] == "0.00"


def test_only_admins_write_master_data(org, api_as):
    for user in (org.rep, org.pm, org.rm, org.marketing, org.staff):
        assert api_as(user).post("/regions", {"name": "x"}).status_code == 403
    assert api_as(org.rep).get(f"/provinces/{org.province.id}/budgets").status_code == 403
    assert api_as(org.pm).get(f"/provinces/{org.province.id}/budgets").status_code == 200


def test_users(org, api_as, client):
    admin = api_as(org.admin)
    created = admin.post("/users", {"username": "newrep", "password": "harbour-light-0123",
                                    "display_name": "新代表", "role": "rep",
                                    "province_id": org.province.id})
    assert created.status_code == 201
    assert created.json["region_id"] == org.region.id
    assert "password" not in created.json and "password_hash" not in created.json
    assert admin.post("/users", {"username": "newrep", "password": "harbour-light-0123",
                                 "role": "rep", "province_id": org.province.id}).status_code == 409
    no_province = admin.post("/users", {"username": "x", "password": "harbour-light-0123", "role": "staff"})
    assert no_province.status_code == 422 and "province_id" in no_province.json["errors"]
    assert admin.post("/users", {"username": "y", "password": "harbour-light-0123",
                                 "role": "pope"}).status_code == 422
    assert api_as(org.rep).get("/users").status_code == 403
    token = client.post("/api/v1/auth/token", json={"username": "newrep", "password": "harbour-light-0123"})
    assert token.status_code == 200 and token.json["token"]
    disabled = admin.patch(f"/users/{created.json['id']}", {"active": False})
    assert disabled.status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "newrep",
                                                   "password": "harbour-light-0123"}).status_code == 401
