"""Log in through the form, taking the CSRF token from the profile page: every role has one, so these
tests do not depend on what each role's start page shows."""

from fastapi.testclient import TestClient

from tests.web import csrf_from


def sign_in(client: TestClient, email: str, password: str) -> TestClient:
    client.headers.pop("X-CSRF-Token", None)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = csrf_from(client.get("/profile").text)
    return client
