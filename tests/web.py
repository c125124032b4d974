"""Helpers for driving the app like a browser: CSRF tokens from pages, logging in through the form."""

import re

from fastapi.testclient import TestClient

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str) -> TestClient:
    """Logs in through the real login form. Afterwards the client sends the session's CSRF token in
    the X-CSRF-Token header, as htmx does; form tests can still read it from a page with csrf_from."""
    client.headers.pop("X-CSRF-Token", None)  # a token from an earlier login no longer applies
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = csrf_from(client.get("/profile").text)
    return client
