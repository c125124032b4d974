"""The clinic's action plan: fixes born from gaps (red stickers) and ideas, each with one owner."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    verified = "verified"


class Action(SQLModel, table=True):
    __tablename__ = "actions"

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = Field(foreign_key="clinics.id", index=True)
    checklist_id: int | None = Field(default=None, foreign_key="checklists.id")
    kind: str = Field(default="gap", max_length=10)  # gap | idea
    touchpoint_key: str | None = Field(default=None, max_length=60)
    title: str = Field(max_length=300)
    description: str = ""
    owner_id: int = Field(foreign_key="users.id", index=True)
    due_on: date | None = None
    status: str = Field(default=ActionStatus.open, max_length=12, index=True)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by_audit_id: int | None = Field(default=None, foreign_key="audits.id")
    regressions: int = 0  # times a later audit failed it after it was verified
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActionItem(SQLModel, table=True):
    """An item key the action covers; keys are stable across checklist versions."""

    __tablename__ = "action_items"

    action_id: int = Field(foreign_key="actions.id", primary_key=True, ondelete="CASCADE")
    item_key: str = Field(max_length=120, primary_key=True)


class ActionEvent(SQLModel, table=True):
    """The action's history: every change of status, owner, due date, and every comment."""

    __tablename__ = "action_events"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="actions.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field: str = Field(max_length=20)  # status | owner | due_on | comment | created
    old: str | None = None
    new: str | None = None
    comment: str = ""
    audit_id: int | None = Field(default=None, foreign_key="audits.id")


class JourneyStage(SQLModel, table=True):
    """The service blueprint of one stage of a clinic's journey (docs/journey-map.md): what happens
    behind the scenes, the systems that support it, and the one person at the clinic who owns the
    stage's process. Set by the clinic's manager or a director; keyed by touchpoint key, which is
    stable across checklist versions."""

    __tablename__ = "journey_stages"
    __table_args__ = (UniqueConstraint("clinic_id", "touchpoint_key"),)

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = Field(foreign_key="clinics.id", index=True, ondelete="CASCADE")
    touchpoint_key: str = Field(max_length=60)
    backstage: str = Field(default="", max_length=1000)
    systems: str = Field(default="", max_length=1000)
    owner_name: str = Field(default="", max_length=120)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
