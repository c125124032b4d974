"""E-mails to send, sent and failed: the outbox (docs/notifications.md §E-mail)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class MailStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; the admin sees the server's answer


class OutgoingMail(SQLModel, table=True):
    """An e-mail to send, rendered once in the recipient's language. (recipient, dedupe key) is
    unique, and delivery claims the row before sending: a job that runs twice sends once."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (UniqueConstraint("to_address", "dedupe_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    to_address: str = Field(max_length=254)
    event: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=160)
    language: str = Field(max_length=8)
    message_id: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str
    unsubscribe_url: str = Field(default="", max_length=500)
    status: str = Field(default=MailStatus.queued, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
