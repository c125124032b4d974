"""E-mail through a real SMTP server (aiosmtpd, STARTTLS, AUTH LOGIN): what arrives, in which
language, with which headers; links that work in the app; one message per event even when the job
runs twice; failures retried with the server's answer kept; the one-click unsubscribe."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, update

from app.db_types import utcnow
from app.mail import delivery
from app.mail.models import MailStatus, OutgoingMail
from app.notifications.events import Event
from app.notifications.service import channel_for
from app.settings import get_settings
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import make_audit
from tests.notifications.conftest import deliver_all, mails_to, told
from tests.notifications.network import approve, build_network, submitted_audit
from tests.notifications.smtp_server import SmtpServer
from tests.web import csrf_from, log_in


def test_a_visit_email_arrives_multipart_in_russian_with_its_headers(session: Session, smtp: SmtpServer) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.shopper, clinic=net.north)

    assert deliver_all(session) == ["sent"]

    [message] = smtp.inbox.to(net.shopper.email)
    assert message["Subject"] == "Новый визит: North branch"
    assert message["From"] == "Mystery Patient <robot@mp.example>"
    assert message["Message-ID"].endswith("@mp.example>") and message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "Окно визита" in text and "http://testserver/visits/" in text
    assert "<h1" in html and "Открыть визит" in html


def test_a_job_that_runs_twice_sends_one_message(session: Session, smtp: SmtpServer) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    [mail] = mails_to(session, net.english_shopper.email)

    first = delivery.deliver(session, mail.id or 0)
    second = delivery.deliver(session, mail.id or 0)

    assert (first, second) == ("sent", "skipped")
    assert len(smtp.inbox.to(net.english_shopper.email)) == 1


def test_a_send_claimed_by_a_worker_that_died_is_sent_again_after_the_lease(session: Session,
                                                                              smtp: SmtpServer) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    [mail] = mails_to(session, net.english_shopper.email)
    session.exec(update(OutgoingMail).where(col(OutgoingMail.id) == mail.id)  # type: ignore[call-overload]
                 .values(status=MailStatus.sending, claimed_at=utcnow() - delivery.CLAIM_LEASE - timedelta(seconds=1)))

    assert deliver_all(session) == ["sent"]
    assert len(smtp.inbox.to(net.english_shopper.email)) == 1


def test_a_refusing_server_is_retried_with_backoff_then_given_up_with_its_answer(session: Session,
                                                                                smtp: SmtpServer) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    [mail] = mails_to(session, net.english_shopper.email)
    smtp.inbox.refuse_with = (451, "4.3.0 Mailbox temporarily unavailable")

    outcome = delivery.deliver(session, mail.id or 0)
    session.refresh(mail)

    assert outcome == "retry"
    assert mail.status == MailStatus.queued and mail.attempts == 1
    assert "451" in mail.last_error and "Mailbox temporarily unavailable" in mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert delivery.deliver(session, mail.id or 0) == "skipped"  # not due yet
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        session.exec(update(OutgoingMail).where(col(OutgoingMail.id) == mail.id)  # type: ignore[call-overload]
                     .values(next_attempt_at=utcnow()))
        delivery.deliver(session, mail.id or 0)
    session.refresh(mail)
    assert mail.status == MailStatus.failed and mail.attempts == delivery.MAX_ATTEMPTS
    assert smtp.inbox.to(net.english_shopper.email) == []


def test_wrong_smtp_credentials_are_a_visible_failure(session: Session, smtp: SmtpServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MP_SMTP_PASSWORD", "wrong")
    get_settings.cache_clear()
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)

    assert deliver_all(session) == ["retry"]
    [mail] = mails_to(session, net.english_shopper.email)
    assert mail.last_error.startswith("535")


def test_the_reset_link_in_the_email_works_in_the_app_once(session: Session, client: TestClient,
                                                            smtp: SmtpServer) -> None:
    net = build_network(session)
    page = client.get("/password/forgot")
    client.post("/password/forgot", data={"email": net.english_shopper.email, "csrf_token": csrf_from(page.text)})
    deliver_all(session)
    [message] = smtp.inbox.to(net.english_shopper.email)
    link = next(word for word in message.get_body(("plain",)).get_content().split()
                if "/password/reset/" in word).removeprefix("http://testserver")

    form = client.get(link)
    done = client.post(link, data={"new_password": "a brand new password", "csrf_token": csrf_from(form.text)})
    again = client.get(link)

    assert form.status_code == 200 and done.status_code == 303
    assert again.status_code == 410
    log_in(client, net.english_shopper.email, "a brand new password")


def test_the_unsubscribe_link_in_the_email_works_with_one_click(session: Session, client: TestClient,
                                                                 smtp: SmtpServer) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    deliver_all(session)
    [message] = smtp.inbox.to(net.english_shopper.email)
    url = message["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")

    # RFC 8058: the mail client POSTs this body, with no cookie and no CSRF token
    response = client.post(url, content=b"List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code == 200
    assert channel_for(session, user=net.english_shopper, event=Event.visit_assigned) == "app"
    make_audit(session, shopper=net.english_shopper, clinic=net.south)
    assert len(told(session, net.english_shopper.id, Event.visit_assigned)) == 2  # still told in the app
    assert len(mails_to(session, net.english_shopper.email)) == 1  # but no second e-mail


def test_nobody_outside_the_clinics_scope_gets_its_alert_email(session: Session, smtp: SmtpServer) -> None:
    net = build_network(session)
    audit = submitted_audit(session, shopper=net.shopper, clinic=net.south, greeting=False)
    approve(session, audit, net.qa)

    deliver_all(session)

    alerted = {recipient for recipients, m in smtp.inbox.messages if m["Subject"].startswith("Attention")
               for recipient in recipients}
    assert alerted == {net.director_south.email, net.director_all.email, net.manager_south.email}


def test_an_invitation_link_sets_the_password_of_the_invited_user(session: Session, client: TestClient,
                                                                   smtp: SmtpServer) -> None:
    admin = make_user(session, "admin")
    log_in(client, admin.email, PASSWORD)
    form = client.get("/admin/users/new")
    created = client.post("/admin/users", data={"email": "new.shopper@example.test", "name": "New", "role": "shopper",
                                                "access": "invite", "csrf_token": csrf_from(form.text)})
    assert created.status_code == 303
    deliver_all(session)
    [message] = smtp.inbox.to("new.shopper@example.test")
    link = next(word for word in message.get_body(("plain",)).get_content().split()
                if "/account/invitation/" in word).removeprefix("http://testserver")
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token")  # logged out: the form's own token is the one that counts

    page = client.get(link)
    weak = client.post(link, data={"new_password": "short", "csrf_token": csrf_from(page.text)})
    done = client.post(link, data={"new_password": "my own password 2026", "csrf_token": csrf_from(page.text)})

    assert weak.status_code == 422 and done.status_code == 303
    log_in(client, "new.shopper@example.test", "my own password 2026")
