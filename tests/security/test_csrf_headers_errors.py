"""CSRF on every state change, security headers on every response, and nothing secret in responses
or logs: no stack trace, no secret key, no password."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import sessions
from app.main import app, create_app
from app.settings import get_settings
from tests.factories import PASSWORD, make_user
from tests.security.routes import api_routes
from tests.security.world import World, as_user, build_world

# RFC 8058 one-click unsubscribe: a mail client POSTs it with no cookie and no token. It reads no
# session at all (the signed token in the address is its only credential) and can only turn e-mail
# for one event off, so CSRF has nothing to protect there.
CSRF_FREE = {("POST", "/unsubscribe/{token}")}
STATE_CHANGES = [(method, path) for method, path, _ in api_routes(app) if method != "GET"
                 and (method, path) not in CSRF_FREE]


def _concrete(path: str, world: World) -> str:
    ids = {"audit_id": world.draft.id, "evidence_id": world.draft_photo.id, "clinic_id": world.clinic_a.id,
           "region_id": world.region_a.id, "user_id": world.users["other_shopper"].id,
           "shopper_id": world.users["other_shopper"].id, "token_id": 1, "wave_id": world.wave.id,
           "assignment_id": world.assignment.id, "action_id": world.action.id, "slug": "sec-clinic",
           "t": 0, "i": 0, "touchpoint_key": "call", "item_key": "call.greeting",
           "mail_id": world.mail.id if world.mail else 0, "token": "not-a-live-token",
           "job_id": world.jobs["admin"].id, "payout_id": world.payout.id, "entry_id": world.payout_entry.id,
           "board_visit_id": world.board_visit.id}
    for name, value in ids.items():
        for template in ("{" + name + "}", "{" + name + ":int}"):
            path = path.replace(template, str(value))
    assert "{" not in path, path
    return path


@pytest.mark.parametrize(("method", "path"), STATE_CHANGES, ids=[f"{m} {p}" for m, p in STATE_CHANGES])
def test_every_state_change_with_a_session_cookie_needs_the_csrf_token(session: Session, client: TestClient,
                                                                       method: str, path: str) -> None:
    world = build_world(session)
    # The role that may use the route, so only the missing token can be what refuses it.
    who = "shopper" if (path.startswith(("/visits", "/api/v1/audits")) and "review" not in path) \
        or path.endswith("/claim") or "/quiz/" in path else "admin"
    as_user(client, world.logins[who])
    url = _concrete(path, world)
    client.headers.pop("X-CSRF-Token")

    missing = client.request(method, url, data={"x": "1"} if method != "DELETE" else None)
    wrong = client.request(method, url, headers={"X-CSRF-Token": "0" * 64})

    assert missing.status_code == 403, missing.text[:300]
    assert wrong.status_code == 403


def test_a_login_form_posted_without_its_token_is_refused(session: Session, client: TestClient) -> None:
    user = make_user(session)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert sessions.COOKIE not in response.cookies


def _assert_security_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    directives = {part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()}
    assert "script-src" in directives or "default-src" in directives, where
    script = directives.get("script-src", directives.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert directives.get("frame-ancestors") in ("frame-ancestors 'self'", "frame-ancestors 'none'"), where
    assert directives.get("object-src") == "object-src 'none'", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where


def _sample(client: TestClient, world: World) -> list[tuple[str, object]]:
    from app.web.static_files import url

    as_user(client, None)
    sample: list[tuple[str, object]] = [
        ("login page", client.get("/login")),
        ("redirect to login", client.get("/review")),
        ("api 401", client.get("/api/v1/me")),
        ("static", client.get(url("app.css"))),
        ("health", client.get("/healthz")),
        ("page 404", client.get("/no/such/page")),
        ("openapi", client.get("/api/v1/openapi.json")),
    ]
    as_user(client, world.logins["qa_lead"])
    sample += [
        ("page", client.get("/review")),
        ("htmx fragment", client.get("/review", headers={"HX-Request": "true"})),
        ("media", client.get(f"/media/{world.approved_photo.id}")),
        ("thumb", client.get(f"/media/{world.approved_photo.id}/thumb")),
        ("media 404", client.get("/media/999999")),
        ("forbidden", client.get("/admin/users")),
        ("csv export", client.get("/reports/answers.csv")),
        ("405", client.delete("/review")),
    ]
    as_user(client, world.logins["qa_lead"], api=True)
    sample += [
        ("api", client.get("/api/v1/waves")),
        ("api 404", client.get("/api/v1/audits/999999")),
        ("api 422", client.post("/api/v1/waves", json={"name": 5})),
        ("api 422 path", client.get("/api/v1/audits/not-a-number")),
    ]
    return sample


def test_every_kind_of_response_carries_the_security_headers(session: Session, client: TestClient) -> None:
    world = build_world(session)
    for where, response in _sample(client, world):
        _assert_security_headers(response, where)
        assert "strict-transport-security" not in response.headers, where  # plain HTTP in development


def test_hsts_is_sent_when_cookies_are_secure(session: Session, client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "cookie_secure", True)
    response = client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


class SecretFailure(RuntimeError):
    pass


def _crashing_client() -> TestClient:
    crashing = create_app()

    @crashing.get("/boom")
    def boom() -> None:
        key = get_settings().signing_key()
        raise SecretFailure(f"internal state with the key {key} and /srv/secret/path.py")

    @crashing.get("/api/v1/boom")
    def api_boom() -> None:
        raise SecretFailure("api internal state /srv/secret/path.py")

    return TestClient(crashing, raise_server_exceptions=False)


@pytest.mark.parametrize("url", ["/boom", "/api/v1/boom"])
def test_a_crash_answers_500_without_a_trace_or_a_secret(url: str, caplog: pytest.LogCaptureFixture) -> None:
    with _crashing_client() as client:
        response = client.get(url)
    assert response.status_code == 500
    body = response.text
    for leak in ("Traceback", "SecretFailure", "/srv/secret", get_settings().signing_key(), 'File "'):
        assert leak not in body
    _assert_security_headers(response, "500")
    assert "SecretFailure" in caplog.text  # the trace goes to the log, for the operator


def test_logging_in_writes_neither_the_password_nor_the_secret_key_to_the_logs(
        session: Session, client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    user = make_user(session)
    caplog.set_level(logging.DEBUG)
    from tests.web import log_in

    log_in(client, user.email, PASSWORD)
    client.cookies.clear()
    token = client.get("/login")
    from tests.web import csrf_from

    client.post("/login", data={"email": user.email, "password": "wrong " + PASSWORD,
                                "csrf_token": csrf_from(token.text)})
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert PASSWORD not in logged
    assert get_settings().signing_key() not in logged
    assert user.password_hash not in logged
