"""Accounts by e-mail without an SMTP server: the links go to the Outbox; forgot password never
tells whether an account exists; a reset ends the other sessions; a new address is confirmed from
that address before it counts."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select, update

from app.accounts.models import AccountLink, LinkPurpose
from app.db_types import utcnow
from tests.factories import PASSWORD, make_user
from tests.notifications.conftest import mails_to
from tests.web import csrf_from, log_in


def _link_in(session: Session, address: str, marker: str) -> str:
    [mail] = mails_to(session, address)
    return next(word for word in mail.text_body.split() if marker in word).split("://", 1)[1].split("/", 1)[1]


def _ask_reset(client: TestClient, email: str) -> str:
    page = client.get("/password/forgot")
    response = client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    return response.text.replace(csrf_from(response.text), "")


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(session: Session,
                                                                            client: TestClient) -> None:
    user = make_user(session, "shopper")

    known = _ask_reset(client, user.email)
    unknown = _ask_reset(client, "nobody@example.test")

    assert known == unknown
    assert len(mails_to(session, user.email)) == 1
    assert mails_to(session, "nobody@example.test") == []


def test_a_second_request_within_minutes_sends_no_second_mail(session: Session, client: TestClient) -> None:
    user = make_user(session, "shopper")

    _ask_reset(client, user.email)
    _ask_reset(client, user.email)

    assert len(mails_to(session, user.email)) == 1


def test_a_reset_ends_every_other_session_and_the_old_password(session: Session, client: TestClient) -> None:
    user = make_user(session, "director")
    other_device = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    log_in(other_device, user.email, PASSWORD)
    _ask_reset(client, user.email)
    link = "/" + _link_in(session, user.email, "/password/reset/")

    form = client.get(link)
    client.post(link, data={"new_password": "another long password", "csrf_token": csrf_from(form.text)})

    assert other_device.get("/profile").status_code == 303  # logged out
    page = client.get("/login")
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                          "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400
    log_in(client, user.email, "another long password")


def test_an_expired_link_is_refused_clearly(session: Session, client: TestClient) -> None:
    user = make_user(session, "shopper")
    _ask_reset(client, user.email)
    link = "/" + _link_in(session, user.email, "/password/reset/")
    session.exec(update(AccountLink).where(col(AccountLink.user_id) == user.id)  # type: ignore[call-overload]
                 .values(expires_at=utcnow() - timedelta(seconds=1)))

    response = client.get(link)

    assert response.status_code == 410
    assert "expired" in response.text


def test_a_new_email_address_counts_only_once_confirmed_from_it(session: Session, client: TestClient) -> None:
    user = make_user(session, "manager")
    log_in(client, user.email, PASSWORD)
    profile = client.get("/profile")

    asked = client.post("/profile/email", data={"new_email": "New.Address@Example.test", "email_password": PASSWORD,
                                                "csrf_token": csrf_from(profile.text)})

    assert asked.status_code == 200 and "new.address@example.test" in asked.text
    assert mails_to(session, user.email) == []  # the link goes to the new address only
    session.refresh(user)
    assert user.email != "new.address@example.test"
    link = "/" + _link_in(session, "new.address@example.test", "/account/email/")
    page = client.get(link)
    confirmed = client.post(link, data={"csrf_token": csrf_from(page.text)})
    assert confirmed.status_code == 303
    session.refresh(user)
    assert user.email == "new.address@example.test"
    log_in(client, "new.address@example.test", PASSWORD)


def test_an_email_change_needs_the_current_password(session: Session, client: TestClient) -> None:
    user = make_user(session, "manager")
    log_in(client, user.email, PASSWORD)
    profile = client.get("/profile")

    refused = client.post("/profile/email", data={"new_email": "x@example.test", "email_password": "wrong",
                                                  "csrf_token": csrf_from(profile.text)})

    assert refused.status_code == 422
    assert session.exec(select(AccountLink).where(AccountLink.user_id == user.id,
                                                  AccountLink.purpose == LinkPurpose.email_change)).first() is None


def test_an_invited_user_cannot_log_in_before_choosing_a_password(session: Session, client: TestClient) -> None:
    admin = make_user(session, "admin")
    log_in(client, admin.email, PASSWORD)
    form = client.get("/admin/users/new")

    created = client.post("/admin/users", data={"email": "invited@example.test", "role": "qa_lead", "access": "invite",
                                                "csrf_token": csrf_from(form.text)})

    assert created.status_code == 303 and created.headers["location"].endswith("?invited=1")
    [mail] = mails_to(session, "invited@example.test")
    assert mail.event == LinkPurpose.invitation and "/account/invitation/" in mail.text_body
    assert "invitation is on its way" in client.get(created.headers["location"]).text
