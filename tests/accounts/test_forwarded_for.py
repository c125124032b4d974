"""The per-address login throttle believes X-Forwarded-For only from proxies named in
MP_TRUSTED_PROXIES: rotating the header does not give a client a fresh address."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import LoginAttempt
from app.main import app
from app.settings import Settings, get_settings
from app.web import client_address
from tests.web import csrf_from


def _wrong_logins(client: TestClient, n: int) -> None:
    token = csrf_from(client.get("/login").text)
    for k in range(n):
        response = client.post("/login", data={"email": f"nobody{k}@example.test", "password": "wrong",
                                               "csrf_token": token},
                               headers={"X-Forwarded-For": f"203.0.113.{k}"})
        assert response.status_code in (400, 401, 429), response.text[:200]


@pytest.fixture
def trusting(request: pytest.FixtureRequest) -> Iterator[None]:
    settings = Settings(trusted_proxies=request.param)
    app.dependency_overrides[get_settings] = lambda: settings
    original = client_address.get_settings
    client_address.get_settings = lambda: settings  # type: ignore[assignment]
    yield
    client_address.get_settings = original  # type: ignore[assignment]
    app.dependency_overrides.pop(get_settings, None)


@pytest.mark.parametrize("trusting", [""], indirect=True)
def test_without_trusted_proxies_the_header_is_ignored(client: TestClient, session: Session, trusting: None) -> None:
    _wrong_logins(client, 3)

    addresses = set(session.exec(select(LoginAttempt.address)).all())

    assert addresses == {"testclient"}


@pytest.mark.parametrize("trusting", ["10.0.0.0/8"], indirect=True)
def test_a_proxy_not_named_is_not_believed(client: TestClient, session: Session, trusting: None) -> None:
    _wrong_logins(client, 2)

    addresses = set(session.exec(select(LoginAttempt.address)).all())

    assert addresses == {"testclient"}


def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop() -> None:
    from starlette.requests import Request

    settings = Settings(trusted_proxies="10.0.0.0/8, 127.0.0.1")
    original = client_address.get_settings
    client_address.get_settings = lambda: settings  # type: ignore[assignment]
    try:
        request = Request({"type": "http", "client": ("127.0.0.1", 5000), "headers": [
            (b"x-forwarded-for", b"1.2.3.4, 198.51.100.7, 10.1.2.3")]})
        spoofed = Request({"type": "http", "client": ("198.51.100.9", 5000), "headers": [
            (b"x-forwarded-for", b"1.2.3.4")]})

        assert client_address.client_address(request) == "198.51.100.7"
        assert client_address.client_address(spoofed) == "198.51.100.9"
    finally:
        client_address.get_settings = original  # type: ignore[assignment]


def test_an_invalid_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="MP_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")


def test_serve_lets_uvicorn_believe_forwarded_headers_only_from_named_proxies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    import app.migrations
    from app.cli.main import app as cli

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(app.migrations, "upgrade_to_head", lambda: None)

    for setting in ("", "10.0.0.5"):
        monkeypatch.setattr("app.settings.get_settings", lambda s=setting: Settings(trusted_proxies=s))
        CliRunner().invoke(cli, ["serve"], catch_exceptions=False)

    assert [(c["proxy_headers"], c["forwarded_allow_ips"]) for c in calls] == [(False, None), (True, ["10.0.0.5"])]
