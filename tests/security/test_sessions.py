"""Sessions and accounts to OWASP ASVS 4.0.3 level 2: password length, argon2id with OWASP parameters
and rehash on login, session rotation, idle and absolute timeouts, server-side logout and password
change, login throttling that never tells whether an account exists."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts import passwords, service, sessions
from app.accounts.models import LoginAttempt, Role, User, UserSession
from app.db_types import utcnow
from app.settings import get_settings
from tests.factories import PASSWORD, make_user
from tests.web import csrf_from, log_in

ADDRESS = "testclient"  # what Starlette's TestClient reports as the peer address


def _login_form(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    client.headers.pop("X-CSRF-Token", None)
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _cookie(client: TestClient) -> str:
    value = client.cookies.get(sessions.COOKIE)
    assert value
    return value


def _alive(client: TestClient, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, cookie)
    return client.get("/profile").status_code == 200


def test_passwords_shorter_than_12_characters_are_refused(session: Session) -> None:
    with pytest.raises(passwords.WeakPassword):
        make_user(session, Role.shopper, password="elevenchars")
    user = make_user(session, Role.shopper, password="twelve chars")
    with pytest.raises(passwords.WeakPassword):
        service.change_password(session, user=user, new_password="short", actor=None)


def test_passwords_are_stored_with_argon2id_at_owasp_parameters(session: Session) -> None:
    user = make_user(session, Role.shopper)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in user.password_hash


def test_a_hash_made_with_weaker_parameters_is_replaced_at_login(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.director)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    session.add(user)
    session.commit()

    assert _login_form(client, user.email, PASSWORD).status_code == 303

    session.refresh(user)
    assert user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_a_short_legacy_password_still_logs_in_and_is_rehashed(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.director)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("old-pw")
    session.add(user)
    session.commit()

    assert _login_form(client, user.email, "old-pw").status_code == 303
    session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_session_id_is_new_at_every_login_and_the_old_one_is_ended(session: Session,
                                                                     client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    first = _cookie(client)

    token = csrf_from(client.get("/profile").text)  # logging in again while the cookie is present
    again = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert again.status_code == 303
    second = _cookie(client)

    assert second != first
    assert not _alive(client, first)
    assert _alive(client, second)


def test_a_session_cookie_is_httponly_samesite_and_secure_when_configured(
        session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(session, Role.qa_lead)
    header = _login_form(client, user.email, PASSWORD).headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    monkeypatch.setattr(get_settings(), "cookie_secure", True)
    client.cookies.clear()
    header = _login_form(client, user.email, PASSWORD).headers["set-cookie"].lower()
    assert "; secure" in header


def _session_row(session: Session, user: User) -> UserSession:
    session.expire_all()
    return session.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                  UserSession.revoked_at == None)).one()  # noqa: E711


def test_a_session_idle_longer_than_the_idle_timeout_ends(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    cookie = _cookie(client)
    row = _session_row(session, user)
    row.last_seen_at = utcnow() - timedelta(minutes=get_settings().session_idle_minutes - 1)
    session.add(row)
    session.commit()
    assert _alive(client, cookie)  # and this touches it again

    row = _session_row(session, user)
    row.last_seen_at = utcnow() - timedelta(minutes=get_settings().session_idle_minutes + 1)
    session.add(row)
    session.commit()

    assert not _alive(client, cookie)


def test_a_session_older_than_the_absolute_timeout_ends_even_if_used(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    cookie = _cookie(client)
    row = _session_row(session, user)
    row.created_at = utcnow() - timedelta(hours=get_settings().session_absolute_hours, minutes=1)
    row.last_seen_at = utcnow()
    session.add(row)
    session.commit()

    assert not _alive(client, cookie)


def test_logout_ends_the_session_on_the_server(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    cookie = _cookie(client)

    assert client.post("/logout").status_code == 303

    assert not _alive(client, cookie)  # the cookie replayed after logout is dead


def test_a_password_change_ends_every_session_of_the_user(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    other_device = _cookie(client)
    client.cookies.clear()
    log_in(client, user.email, PASSWORD)
    this_device = _cookie(client)

    response = client.post("/profile/password", data={"current_password": PASSWORD,
                                                      "new_password": "a brand new passphrase",
                                                      "confirm_password": "a brand new passphrase"})
    assert response.status_code in (200, 303), response.text

    assert not _alive(client, other_device)
    assert not _alive(client, this_device)


def _fail(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    return _login_form(client, email, "not the password at all")


def _age_attempts(session: Session, **where: str) -> None:
    """Moves failed attempts back in time past any slowing delay (but inside the hour's window)."""
    query = select(LoginAttempt)
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    for attempt in session.exec(query).all():
        attempt.at = attempt.at - timedelta(minutes=2)
        session.add(attempt)
    session.commit()


@pytest.mark.parametrize("exists", [True, False], ids=["known-email", "unknown-email"])
def test_failures_on_an_account_slow_it_down_then_lock_it(session: Session, client: TestClient,
                                                          exists: bool) -> None:
    email = make_user(session, Role.qa_lead).email if exists else "nobody-here@example.test"
    for _ in range(service.SLOW_AFTER_ACCOUNT):
        assert _fail(client, email).status_code == 400

    slowed = _login_form(client, email, PASSWORD)  # right at once, even with the right password
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) >= 1

    _age_attempts(session, email=email)
    assert _fail(client, email).status_code == 400  # after the wait, attempts are heard again
    for _ in range(service.LOCK_AFTER_ACCOUNT - service.SLOW_AFTER_ACCOUNT - 1):
        _age_attempts(session, email=email)
        assert _fail(client, email).status_code == 400
    _age_attempts(session, email=email)

    locked = _login_form(client, email, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 50 * 60


def test_an_account_that_waited_out_the_slowing_logs_in_with_its_password(session: Session,
                                                                        client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    for _ in range(service.SLOW_AFTER_ACCOUNT):
        _fail(client, user.email)
    _age_attempts(session, email=user.email)
    assert _login_form(client, user.email, PASSWORD).status_code == 303


def test_the_100th_failure_in_an_hour_from_one_address_locks_it_for_every_account(session: Session,
                                                                                 client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    session.add_all([LoginAttempt(email=f"guess{n}@example.test", address=ADDRESS, at=utcnow() - timedelta(minutes=5))
                     for n in range(service.LOCK_AFTER_ADDRESS - 1)])
    session.commit()
    assert _fail(client, "guess-last@example.test").status_code == 400  # the 100th failure

    locked = _login_form(client, user.email, PASSWORD)  # a real account with its real password
    assert locked.status_code == 429
    assert _login_form(client, "unknown@example.test", "whatever it is").status_code == 429
    session.expire_all()
    assert session.get(User, user.id) is not None


def test_failures_older_than_an_hour_no_longer_count(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    session.add_all([LoginAttempt(email=user.email, address=ADDRESS, at=utcnow() - timedelta(minutes=61))
                     for _ in range(service.LOCK_AFTER_ACCOUNT + 5)])
    session.commit()
    assert _login_form(client, user.email, PASSWORD).status_code == 303


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(session: Session, client: TestClient) -> None:
    user = make_user(session, Role.qa_lead)
    known = _fail(client, user.email)
    unknown = _fail(client, "no-such-user@example.test")
    inactive_user = make_user(session, Role.qa_lead)
    service.set_active(session, user=inactive_user, active=False, actor=None)
    session.commit()
    inactive = _login_form(client, inactive_user.email, PASSWORD)  # the right password of a closed account

    assert known.status_code == unknown.status_code == inactive.status_code == 400

    def message(html: str) -> str:
        return html.split('role="alert">', 1)[1].split("</p>", 1)[0]

    assert message(known.text) == message(unknown.text) == message(inactive.text)
    assert "email or password" in message(known.text).lower() or "парол" in message(known.text).lower()
