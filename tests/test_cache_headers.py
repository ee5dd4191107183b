"""Issue 32, 7: no answer with personal data or a token is kept by a browser
or proxy (Cache-Control: no-store), and HSTS when the service is https."""
from __future__ import annotations

from meetings import create_app
from tests.conftest import PASSWORD


def test_pages_json_and_the_token_answer_are_not_stored(app, client, org, login):
    token = client.post("/api/v1/auth/token", json={"username": org.admin.username, "password": PASSWORD})
    assert token.status_code == 200 and token.headers["Cache-Control"] == "no-store"
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    for path in ("/api/v1/meetings", "/api/v1/users", "/api/v1/prescriptions/template.xlsx"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert client.get("/api/v1/meetings/999999", headers=headers).headers["Cache-Control"] == "no-store"
    page = login(org.admin).get("/")
    assert page.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/app.css")
    if response.status_code == 200:
        assert "no-store" not in (response.headers.get("Cache-Control") or "")


def _app(public_url):
    return create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_URL": public_url})


def test_hsts_when_the_public_url_is_https():
    assert _app("https://meetings.example.com").test_client().get("/livez").headers[
        "Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in _app("http://intranet:8000").test_client().get("/livez").headers
