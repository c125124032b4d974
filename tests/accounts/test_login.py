"""Logging in and out: cookie flags, session rotation, generic errors, CSRF, deactivation, navigation."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import sessions
from app.accounts.models import Role
from app.settings import get_settings
from tests.accounts.sign_in import sign_in
from tests.factories import PASSWORD, make_user
from tests.web import csrf_from


def _post_login(client: TestClient, email: str, password: str) -> Any:
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_login_sets_an_httponly_samesite_lax_session_cookie(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.qa_lead)

    response = _post_login(client, user.email, PASSWORD)

    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(sessions.COOKIE + "="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_mp_cookie_secure_is_set(client: TestClient, session: Session,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(session, Role.qa_lead)
    client.base_url = "https://testserver"  # type: ignore[assignment]  # secure cookies travel over https only
    monkeypatch.setenv("MP_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    try:
        response = _post_login(client, user.email, PASSWORD)
    finally:
        monkeypatch.delenv("MP_COOKIE_SECURE")
        get_settings.cache_clear()

    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(sessions.COOKIE + "="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_every_login_gets_a_new_session_id_and_the_old_one_stops_working(client: TestClient,
                                                                         session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    sign_in(client, user.email, PASSWORD)
    first = client.cookies.get(sessions.COOKIE)

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    second = client.cookies.get(sessions.COOKIE)

    assert response.status_code == 303
    assert first and second and first != second
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, first)
    assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_the_session_on_the_server(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    sign_in(client, user.email, PASSWORD)
    old_cookie = client.cookies.get(sessions.COOKIE)
    assert client.get("/api/v1/me").json()["email"] == user.email

    response = client.post("/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, old_cookie or "")
    replay = client.get("/api/v1/me")
    assert replay.status_code == 401
    assert "detail" in replay.json()


def test_wrong_password_and_unknown_email_get_the_same_generic_answer(client: TestClient,
                                                                      session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    client.headers["Accept-Language"] = "en"

    wrong_password = _post_login(client, user.email, "not the password at all")
    unknown_email = _post_login(client, "nobody@example.test", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 400
    assert "Wrong email or password." in wrong_password.text
    assert "Wrong email or password." in unknown_email.text
    assert sessions.COOKIE not in client.cookies


def test_login_form_without_a_csrf_token_is_refused_with_a_clear_403(client: TestClient,
                                                                    session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    client.get("/login")

    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           headers={"Accept-Language": "en"})

    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert sessions.COOKIE not in client.cookies


def test_logout_without_a_csrf_token_is_refused_and_the_session_lives_on(client: TestClient,
                                                                         session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    sign_in(client, user.email, PASSWORD)
    del client.headers["X-CSRF-Token"]

    response = client.post("/logout", data={"csrf_token": "forged"})

    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_deactivated_user_cannot_log_in_and_their_open_sessions_end(client: TestClient,
                                                                    session: Session) -> None:
    admin = make_user(session, Role.admin)
    victim = make_user(session, Role.qa_lead)
    sign_in(client, victim.email, PASSWORD)
    victim_cookie = client.cookies.get(sessions.COOKIE)
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    sign_in(client, admin.email, PASSWORD)

    response = client.post(f"/admin/users/{victim.id}/active", data={"active": "false"})

    assert response.status_code == 303
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, victim_cookie or "")
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    assert _post_login(client, victim.email, PASSWORD).status_code == 400


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_navigation(client: TestClient, session: Session, role: Role) -> None:
    user = make_user(session, role)

    sign_in(client, user.email, PASSWORD)
    page = client.get("/profile")

    assert page.status_code == 200
    is_admin = role == Role.admin
    assert ('href="http://testserver/admin/users"' in page.text) is is_admin
    assert ('href="http://testserver/admin/clinics"' in page.text) is is_admin
    assert 'href="http://testserver/profile"' in page.text


@pytest.mark.parametrize("role", [Role.shopper, Role.qa_lead, Role.director, Role.manager])
@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/clinics", "/admin/clinics/new"])
def test_admin_pages_are_forbidden_to_other_roles(client: TestClient, session: Session, role: Role,
                                                  path: str) -> None:
    user = make_user(session, role)
    sign_in(client, user.email, PASSWORD)

    response = client.get(path)

    assert response.status_code == 403


def test_admin_pages_send_anonymous_visitors_to_login(client: TestClient) -> None:
    response = client.get("/admin/users")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
