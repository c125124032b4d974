"""The append-only audit trail: who did what, when."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class TrailEvent(SQLModel, table=True):
    __tablename__ = "trail_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    verb: str = Field(max_length=60)  # "audit.approve", "checklist.publish", "user.create" ...
    entity: str = Field(max_length=40)
    entity_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
