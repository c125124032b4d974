"""API tokens die with the account's trust: a password change (own or an admin reset) and a
deactivation revoke them, as they end sessions; a reactivated user starts with none."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service, tokens
from app.accounts.models import Role, User
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


def _token(session: Session, user: User) -> str:
    _row, plain = tokens.create_token(session, user=user, name="bi")
    session.commit()
    return plain


def _me(client: TestClient, plain: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code


def test_an_admin_password_reset_revokes_the_users_tokens(client: TestClient, session: Session) -> None:
    user, admin = make_user(session, Role.qa_lead), make_user(session, Role.admin)
    plain = _token(session, user)
    assert _me(client, plain) == 200

    service.change_password(session, user=user, new_password=NEW_PASSWORD, actor=admin)
    session.commit()

    assert _me(client, plain) == 401
    assert tokens.tokens_of(session, user=user) == []


def test_changing_ones_own_password_revokes_ones_tokens(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    plain = _token(session, user)

    service.change_own_password(session, user=user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    session.commit()

    assert _me(client, plain) == 401


def test_a_reactivated_user_starts_without_tokens(client: TestClient, session: Session) -> None:
    user, admin = make_user(session, Role.shopper), make_user(session, Role.admin)
    plain = _token(session, user)

    service.set_active(session, user=user, active=False, actor=admin)
    session.commit()
    revoked_while_inactive = _me(client, plain)
    service.set_active(session, user=user, active=True, actor=admin)
    session.commit()

    assert revoked_while_inactive == 401
    assert _me(client, plain) == 401
    assert tokens.tokens_of(session, user=user) == []


def test_saving_an_active_user_as_active_keeps_their_tokens(client: TestClient, session: Session) -> None:
    user, admin = make_user(session, Role.shopper), make_user(session, Role.admin)
    plain = _token(session, user)

    service.set_active(session, user=user, active=True, actor=admin)
    session.commit()

    assert _me(client, plain) == 200
