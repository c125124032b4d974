"""Where a message goes: the SMTP server of the settings, or without one the local mail folder that
the admin's Outbox shows (so the embedded default demonstrates every message)."""

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from app.settings import Settings, get_settings


class DeliveryFailed(Exception):
    """The server refused or could not be reached; `str()` is its answer, for the admin."""


def send(message: EmailMessage, *, settings: Settings | None = None) -> str:
    """Hand the message over; returns where it went (for the log). Raises DeliveryFailed."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        return str(_write_to_folder(message, settings.mail_path))
    try:
        _send_smtp(message, settings)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(_describe(error)) from error
    return f"smtp://{settings.smtp_host}:{settings.smtp_port}"


def _send_smtp(message: EmailMessage, settings: Settings) -> None:
    context = ssl.create_default_context()
    timeout = settings.smtp_timeout_seconds
    client: smtplib.SMTP
    if settings.smtp_security == "tls":
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(message)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
        return f"{error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = error.recipients.items()
        return "; ".join(f"{to}: {code} {text.decode(errors='replace')}" for to, (code, text) in refused)
    return f"{type(error).__name__}: {error}"


def _write_to_folder(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = str(message["Message-ID"]).strip("<>").replace("/", "_")
    path = folder / f"{name}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(message.as_bytes())
    temporary.replace(path)  # the Outbox never sees half a file
    return path
