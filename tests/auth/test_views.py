"""The user administration pages, as an administrator and as everyone else."""
from sqlalchemy import select

from meetings.auth.models import Role, User
from meetings.extensions import db
from tests.conftest import PASSWORD


def login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_admin_sees_the_users_and_the_nav_entry(client, org):
    login(client, org.admin)
    page = client.get("/admin/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert org.rep.username in html and org.province.name in html
    assert 'href="/admin/users"' in html  # the navigation offers the page


def test_others_get_403_and_no_nav_entry(client, org):
    for user in (org.rep, org.pm, org.rm, org.staff, org.marketing):
        login(client, user)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/users/new").status_code == 403
        assert client.post("/admin/users/new", data={"username": "x"}).status_code == 403
        assert client.get(f"/admin/users/{org.rep.id}/edit").status_code == 403
        assert 'href="/admin/users"' not in client.get("/hospitals").get_data(as_text=True)
        client.post("/logout")


def test_anonymous_is_sent_to_the_login(client, org):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_creates_a_rep_who_can_log_in(client, org):
    login(client, org.admin)
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="csrf_token"' in form and org.province.name in form
    response = client.post("/admin/users/new", data={
        "username": "wang", "password": "longenough", "display_name": "王五",
        "role": "rep", "province_id": str(org.province.id), "region_id": ""})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang"))
    assert user.role == Role.rep and user.province_id == org.province.id
    assert user.region_id == org.region.id  # follows the province
    assert "王五" in client.get("/admin/users").get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"username": "wang", "password": "longenough"}).status_code == 302


def test_a_rep_without_province_is_refused_beside_the_field(client, org):
    login(client, org.admin)
    response = client.post("/admin/users/new", data={
        "username": "li", "password": "longenough", "role": "rep"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is-invalid" in html and "须属于某个省区" in html
    assert 'value="li"' in html  # what was typed stays
    assert db.session.scalar(select(User).where(User.username == "li")) is None


def test_bad_input_shows_every_field_error(client, org):
    login(client, org.admin)
    response = client.post("/admin/users/new", data={"username": "", "password": "123", "role": "boss"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("invalid-feedback") >= 3
    assert "Traceback" not in html


def test_a_taken_username_is_refused(client, org):
    login(client, org.admin)
    response = client.post("/admin/users/new", data={
        "username": org.rep.username, "password": "longenough", "role": "marketing"})
    assert response.status_code == 422
    assert "已被占用" in response.get_data(as_text=True)


def test_admin_deactivates_a_user_and_resets_the_password(client, org):
    login(client, org.admin)
    page = client.get(f"/admin/users/{org.rep.id}/edit").get_data(as_text=True)
    assert "checked" in page  # active now
    response = client.post(f"/admin/users/{org.rep.id}/edit", data={
        "display_name": "Renamed", "province_id": str(org.province.id), "password": "harbour-light-0001"})
    assert response.status_code == 302
    db.session.expire_all()
    rep = db.session.get(User, org.rep.id)
    assert rep.display_name == "Renamed" and rep.active is False
    assert rep.check_password("harbour-light-0001")


def test_a_short_new_password_changes_nothing(client, org):
    login(client, org.admin)
    response = client.post(f"/admin/users/{org.rep.id}/edit", data={
        "display_name": "Renamed", "active": "on", "password": "123"})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, org.rep.id).display_name != "Renamed"


def test_editing_an_unknown_user_is_404(client, org):
    login(client, org.admin)
    assert client.get("/admin/users/9999/edit").status_code == 404


def test_moving_a_rep_to_another_province_moves_the_region_too(client, org, make_province, make_region):
    elsewhere = make_province(region=make_region())
    login(client, org.admin)
    form = client.get(f"/admin/users/{org.rep.id}/edit").get_data(as_text=True)
    assert 'name="province_id"' in form and 'name="region_id"' not in form
    response = client.post(f"/admin/users/{org.rep.id}/edit", data={
        "display_name": "rep", "province_id": str(elsewhere.id), "active": "on"})
    assert response.status_code == 302
    db.session.expire_all()
    rep = db.session.get(User, org.rep.id)
    assert rep.province_id == elsewhere.id and rep.region_id == elsewhere.region_id
