def test_healthz_answers_ok_without_a_login_or_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers
