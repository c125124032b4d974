"""The bell, the list, mark as read, the choices per event, the unsubscribe page and the admin's
Outbox, as a browser without JavaScript sees them."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.mail import delivery
from app.mail.models import MailStatus
from app.notifications.events import Event
from app.notifications.service import channel_for, unsubscribe_token
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import make_audit
from tests.notifications.conftest import mails_to, told
from tests.notifications.network import build_network
from tests.web import csrf_from, log_in


def test_the_bell_counts_unread_and_the_list_marks_them_read(session: Session, client: TestClient) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.english_shopper, clinic=net.north)
    log_in(client, net.english_shopper.email, PASSWORD)

    home = client.get("/notifications")
    assert 'class="count"' in home.text and ">1<" in home.text
    assert "New visit: North branch" in home.text
    [notification] = told(session, net.english_shopper.id)
    opened = client.post("/notifications/read", data={"notification_id": notification.id,
                                                      "csrf_token": csrf_from(home.text)})

    assert opened.status_code == 303 and opened.headers["location"] == f"/visits/{audit.id}"
    assert 'class="count"' not in client.get("/notifications").text


def test_preferences_show_the_roles_events_and_save_a_choice(session: Session, client: TestClient) -> None:
    manager = make_user(session, "manager")
    log_in(client, manager.email, PASSWORD)
    page = client.get("/notifications/preferences")
    assert "An action is assigned to me" in page.text
    assert "A visit is assigned to me" not in page.text  # a shopper's event

    saved = client.post("/notifications/preferences", data={"event-action_due": "off", "event-action_overdue": "bogus",
                                                            "csrf_token": csrf_from(page.text)})

    assert saved.status_code == 200 and "Saved." in saved.text
    assert channel_for(session, user=manager, event=Event.action_due) == "off"
    assert channel_for(session, user=manager, event=Event.action_overdue) == "email"  # bad value ignored


def test_the_unsubscribe_page_asks_before_it_changes_anything(session: Session, client: TestClient) -> None:
    shopper = make_user(session, "shopper")
    url = f"/unsubscribe/{unsubscribe_token(user_id=shopper.id or 0, event='report_returned')}"

    page = client.get(url)
    forged = client.get(url[:-3] + "abc")

    assert page.status_code == 200 and "Stop e-mails" in page.text
    assert channel_for(session, user=shopper, event=Event.report_returned) == "email"
    assert forged.status_code == 410


def test_the_outbox_shows_messages_failures_and_retries_them(session: Session, client: TestClient) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    [mail] = mails_to(session, net.english_shopper.email)
    mail.status, mail.last_error, mail.attempts = MailStatus.failed, "550 5.1.1 No such user", delivery.MAX_ATTEMPTS
    session.add(mail)
    admin = make_user(session, "admin")
    log_in(client, admin.email, PASSWORD)

    listing = client.get("/admin/outbox?status=failed")
    detail = client.get(f"/admin/outbox/{mail.id}")
    retried = client.post(f"/admin/outbox/{mail.id}/retry", data={"csrf_token": csrf_from(detail.text)})

    assert "550 5.1.1 No such user" in listing.text and "New visit: North branch" in listing.text
    assert "Window" in detail.text or "window" in detail.text
    assert retried.status_code == 303
    session.refresh(mail)
    assert mail.status == MailStatus.queued and mail.attempts == 0


def test_without_smtp_a_delivered_message_lands_in_the_mail_folder(session: Session) -> None:
    from app.settings import get_settings

    net = build_network(session)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)
    [mail] = mails_to(session, net.english_shopper.email)

    assert delivery.deliver(session, mail.id or 0) == "sent"

    written = get_settings().mail_path / f"{mail.message_id.strip('<>')}.eml"
    assert written.exists() and b"New visit: North branch" in written.read_bytes()
