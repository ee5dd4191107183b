import json

import pytest

from meetings import create_app


def test_healthz_answers_ok_without_a_login_or_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers


def _unreachable_app():
    # nothing listens on port 1: the connection is refused at once
    return create_app({"SECRET_KEY": "test-secret-key-0123456789abcdef-0123", "TESTING": True,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none"})


def test_healthz_answers_503_when_the_database_does_not_answer():
    response = _unreachable_app().test_client().get("/healthz")
    assert response.status_code == 503
    assert "Set-Cookie" not in response.headers


def test_livez_answers_without_the_database():
    response = _unreachable_app().test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_the_engine_gives_up_connecting_after_a_bounded_time():
    app = _unreachable_app()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 5


def _failing_routes(app):
    def boom():
        raise RuntimeError("kaputt")
    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)


@pytest.mark.real_commits  # routes added: an app of its own (the shared one has served requests)
def test_a_500_names_its_request_id_in_json_header_and_log(app, capsys):
    app.config["LOG_FORMAT"] = "json"
    from meetings.logs import configure_logging
    configure_logging(app)
    _failing_routes(app)
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    rid = response.get_json()["request_id"]
    assert rid and response.headers["X-Request-ID"] == rid
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    error = next(e for e in lines if e["message"] == "unhandled error")
    assert error["request_id"] == rid and "kaputt" in error["exception"]
    access = next(e for e in lines if e["logger"] == "meetings.request")
    assert (access["request_id"], access["status"], access["path"]) == (rid, 500, "/api/v1/boom")


@pytest.mark.real_commits  # routes added: an app of its own (the shared one has served requests)
def test_a_500_page_shows_the_request_id(app):
    _failing_routes(app)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)


def test_a_request_id_from_the_client_is_ignored_without_a_trusted_proxy(client):
    response = client.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] != "abc-123"


def test_a_request_id_from_a_trusted_proxy_is_kept_when_it_looks_like_one(app):
    app.config["PROXY_COUNT"] = 1
    client = app.test_client()
    assert client.get("/livez", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    forged = client.get("/livez", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32


@pytest.mark.real_commits  # routes added: an app of its own (the shared one has served requests)
def test_text_logs_keep_a_traceback_on_one_line(app, capsys):
    app.config["LOG_FORMAT"] = "text"
    from meetings.logs import configure_logging
    configure_logging(app)
    _failing_routes(app)
    app.test_client().get("/boom")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "unhandled error" in line)
    assert "Traceback" in line and "kaputt" in line
