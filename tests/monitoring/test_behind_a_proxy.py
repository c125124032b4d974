"""Behind nginx: uvicorn's proxy headers (trusted from the proxy's address only, as `mystery-patient
serve` runs it) make the app see the reader's https scheme, so absolute URLs say https and every
cookie is Secure; without the header nothing changes."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.accounts.models import Role
from app.db import get_session
from app.main import app
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import make_audit, picture
from tests.security.world import World, build_world
from tests.web import csrf_from

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture
def proxied(session: Session) -> Iterator[TestClient]:
    def test_session() -> Iterator[Session]:
        session.commit()
        yield session
        session.commit()

    app.dependency_overrides[get_session] = test_session
    with TestClient(ProxyHeadersMiddleware(app, trusted_hosts="testclient"),  # type: ignore[arg-type]
                    base_url="http://mp.example.org", follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:
        yield client
    app.dependency_overrides.clear()


def _cookie(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0]


def test_login_through_an_https_proxy_sets_only_secure_cookies(proxied: TestClient, session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    session.commit()
    page = proxied.get("/login", headers=HTTPS)
    anon = page.headers.get_list("set-cookie")

    response = proxied.post("/login", headers={**HTTPS, "Cookie": _cookie(anon[0])},
                            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)})

    cookies = anon + response.headers.get_list("set-cookie")
    assert response.status_code == 303, response.text
    assert len(cookies) >= 2 and all("; Secure" in cookie for cookie in cookies), cookies
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_without_the_forwarded_scheme_cookies_stay_as_configured(proxied: TestClient) -> None:
    page = proxied.get("/login")

    assert page.headers.get_list("set-cookie") and not any("Secure" in c for c in page.headers.get_list("set-cookie"))
    assert "strict-transport-security" not in page.headers


def test_absolute_urls_use_the_forwarded_scheme_and_the_host_the_reader_asked_for(proxied: TestClient,
                                                                                  session: Session) -> None:
    world: World = build_world(session)
    audit = make_audit(session, shopper=world.logins["shopper"].user)
    session.commit()

    response = proxied.post(f"/api/v1/audits/{audit.id}/evidence",
                            headers={**HTTPS, "Authorization": f"Bearer {world.logins['shopper'].api_token}"},
                            files={"file": ("p.jpg", picture(), "image/jpeg")})

    assert response.status_code == 201, response.text
    assert response.json()["url"] == f"https://mp.example.org/media/{response.json()['id']}"
