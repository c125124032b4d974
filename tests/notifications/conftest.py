"""Notification tests: a real SMTP server, the app's settings pointed at it, and helpers to read
what was told in the app and queued or delivered by e-mail."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.mail import delivery
from app.mail.models import OutgoingMail
from app.notifications.models import Notification
from app.settings import get_settings
from tests.jobs.conftest import live, queue_for_live  # noqa: F401 (a committed world with a real queue)
from tests.notifications.smtp_server import PASSWORD, USER, SmtpServer


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """The server, and the app's settings sending to it over STARTTLS with a login."""
    with SmtpServer(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))  # trust its self-signed certificate
        for name, value in {"MP_SMTP_HOST": "localhost", "MP_SMTP_PORT": str(server.port),
                            "MP_SMTP_SECURITY": "starttls", "MP_SMTP_USER": USER, "MP_SMTP_PASSWORD": PASSWORD,
                            "MP_MAIL_FROM": "Mystery Patient <robot@mp.example>",
                            "MP_BASE_URL": "http://testserver"}.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def told(session: Session, user_id: int | None, event: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id).order_by(col(Notification.id))
    if event:
        query = query.where(Notification.event == event)
    return list(session.exec(query).all())


def mails_to(session: Session, address: str, event: str | None = None) -> list[OutgoingMail]:
    query = select(OutgoingMail).where(OutgoingMail.to_address == address).order_by(col(OutgoingMail.id))
    if event:
        query = query.where(OutgoingMail.event == event)
    return list(session.exec(query).all())


def deliver_all(session: Session) -> list[str]:
    """What a worker does with the queue: every due message, once."""
    return [delivery.deliver(session, mail_id) for mail_id in delivery.due_mail_ids(session)]
