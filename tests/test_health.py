from fastapi.testclient import TestClient


def test_healthz_answers_ok_when_the_database_is_up(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_page_shows_the_form_with_a_csrf_field(client: TestClient) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert 'name="csrf_token"' in response.text
