"""The profile page: own password, language, personal API tokens (shown once, revocable)."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service, tokens
from app.accounts.models import ApiToken, Role
from tests.accounts.sign_in import sign_in
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "another long passphrase"
TOKEN = re.compile(r'id="new-token-value" readonly value="(mp_[^"]+)"')


def test_changing_the_password_needs_the_current_one(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.director)
    sign_in(client, user.email, PASSWORD)
    client.headers["Accept-Language"] = "en"

    response = client.post("/profile/password", data={"current_password": "wrong wrong wrong",
                                                       "new_password": NEW_PASSWORD})

    assert response.status_code == 422
    assert 'id="e-current_password"' in response.text
    assert "current password is not correct" in response.text
    assert client.get("/api/v1/me").status_code == 200


def test_a_new_password_shorter_than_12_characters_is_rejected(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.director)
    sign_in(client, user.email, PASSWORD)
    client.headers["Accept-Language"] = "en"

    response = client.post("/profile/password",
                           data={"current_password": PASSWORD, "new_password": "too short"})

    assert response.status_code == 422
    assert "at least 12 characters" in response.text


def test_after_a_password_change_every_session_ends_and_the_user_goes_to_login(client: TestClient,
                                                                               session: Session) -> None:
    user = make_user(session, Role.director)
    sign_in(client, user.email, PASSWORD)
    old_cookie = client.cookies.get("mp_session")

    response = client.post("/profile/password", data={"current_password": PASSWORD,
                                                       "new_password": NEW_PASSWORD})

    assert response.status_code == 303
    assert response.headers["location"].endswith("/login")
    client.cookies.set("mp_session", old_cookie or "")
    assert client.get("/api/v1/me").status_code == 401
    assert service.authenticate(session, email=user.email, password=NEW_PASSWORD, address="t") == user


def test_a_token_is_shown_once_listed_by_prefix_works_and_dies_when_revoked(client: TestClient,
                                                                            session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    sign_in(client, user.email, PASSWORD)

    created = client.post("/profile/tokens", data={"name": "Power BI"})
    match = TOKEN.search(created.text)
    assert created.status_code == 200 and match
    plain = match.group(1)
    listing = client.get("/profile")
    assert plain not in listing.text
    assert plain[:10] in listing.text and "Power BI" in listing.text

    api = TestClient(client.app, base_url="http://testserver")
    works = api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    [token] = tokens.tokens_of(session, user=user)
    revoked = client.post(f"/profile/tokens/{token.id}/revoke")
    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})

    assert works.status_code == 200 and works.json()["email"] == user.email
    assert revoked.status_code == 303
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/json")
    assert "detail" in refused.json()
    assert plain[:10] not in client.get("/profile").text


def test_someone_elses_token_cannot_be_revoked(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.qa_lead)
    other = make_user(session, Role.qa_lead)
    sign_in(client, owner.email, PASSWORD)
    created = client.post("/profile/tokens", data={"name": "mine"})
    token_id = tokens.tokens_of(session, user=owner)[0].id
    client.post("/logout")
    sign_in(client, other.email, PASSWORD)

    response = client.post(f"/profile/tokens/{token_id}/revoke")

    assert created.status_code == 200
    assert response.status_code == 404
    assert session.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]


def test_the_chosen_language_is_kept_on_the_user(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.manager)
    sign_in(client, user.email, PASSWORD)

    response = client.post("/language", data={"language": "en", "next": "/profile"})

    assert response.status_code == 303 and response.headers["location"] == "/profile"
    session.refresh(user)
    assert user.language == "en"
    assert '<html lang="en">' in client.get("/profile").text


def test_a_bearer_token_needs_no_csrf_token_for_writes(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    _token, plain = tokens.create_token(session, user=admin, name="script")

    response = client.post("/api/v1/clinics", headers={"Authorization": f"Bearer {plain}"},
                           json={"name": "Smile Centre", "region": "Kazan", "city": "Kazan",
                                 "is_competitor": False, "active": True})

    assert response.status_code == 201
    assert response.json()["region"] == "Kazan"


def test_a_cookie_authenticated_api_write_without_csrf_is_refused(client: TestClient,
                                                                  session: Session) -> None:
    admin = make_user(session, Role.admin)
    sign_in(client, admin.email, PASSWORD)
    del client.headers["X-CSRF-Token"]

    response = client.post("/api/v1/clinics", json={"name": "X", "region": "Y", "city": "Z"})

    assert response.status_code == 403
    assert "detail" in response.json()
