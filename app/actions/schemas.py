"""JSON shapes of the actions API."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.web.api_dates import ApiDate


class ActionCreate(BaseModel):
    clinic_id: int
    title: str = Field(description="what will change")
    owner_id: int | None = Field(default=None, description="exactly one owner: one of the clinic's people")
    due_on: ApiDate | None = None
    kind: str = Field(default="gap", description="gap | idea")
    checklist: str | None = Field(default=None, description="checklist slug (default: the first one)")
    touchpoint: str | None = Field(default=None, description="a touchpoint gap covers its scored items")
    items: list[str] = Field(default_factory=list, description="covered item keys (≥ 1 for a gap)")
    description: str = ""


class ActionUpdate(BaseModel):
    status: str | None = Field(default=None, description="open | in_progress | done (needs a comment)")
    owner_id: int | None = None
    due_on: ApiDate | None = None
    comment: str = ""


class ActionRead(BaseModel):
    id: int
    clinic_id: int
    clinic: str
    kind: str
    title: str
    description: str
    touchpoint: str | None
    items: list[str]
    owner_id: int
    owner: str = Field(description="the owner's email")
    due_on: date | None
    overdue: bool
    status: str
    done_at: datetime | None
    verified_at: datetime | None
    verified_by_audit_id: int | None
    regressions: int
    created_at: datetime
    updated_at: datetime


class EventRead(BaseModel):
    at: datetime
    actor: str | None = Field(description="who made the change (email); null when an audit did")
    field: str = Field(description="created | status | owner | due_on | comment | regression")
    old: str | None
    new: str | None
    comment: str
    audit_id: int | None
