"""Notifications: what each person was told in the app, their choices per event, and the e-mails
made from them (docs/notifications.md)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class Channel(StrEnum):
    email = "email"  # in the app and by e-mail
    app = "app"  # in the app only
    off = "off"


class Notification(SQLModel, table=True):
    """One event told to one person. The pair (user, dedupe key) is unique: an event is told once,
    however often the code that noticed it runs."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    event: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=160)
    # What the message needs, rendered in the reader's language when shown (never stored translated).
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    link: str = Field(default="", max_length=300)  # a path inside the app
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Preference(SQLModel, table=True):
    """A person's choice for one event; no row = the event's default."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    event: str = Field(max_length=40, primary_key=True)
    channel: str = Field(max_length=8)
