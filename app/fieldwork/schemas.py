"""JSON shapes of the fieldwork API (never the table models themselves)."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.validity.schemas import ValidityOut
from app.web.api_dates import ApiDate, ApiDateTime

AnswerValue = bool | int | float | str | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WaveIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    starts_on: ApiDate
    ends_on: ApiDate
    visits_per_clinic: int = Field(default=1, ge=1, le=100)


class WaveOut(BaseModel):
    id: int
    name: str
    starts_on: date
    ends_on: date
    visits_per_clinic: int


class AssignmentIn(Strict):
    wave_id: int
    clinic_id: int
    checklist: str = Field(description="checklist slug; the audit is pinned to its latest version")
    scenario_id: int | None = None
    shopper: str = Field(description="the shopper's email")
    window_start: ApiDate | None = None
    due_on: ApiDate | None = Field(default=None, description="the last day of the visit window")
    fee: Decimal | None = Field(default=None, max_digits=12, decimal_places=2, ge=0,
                                description="this visit's fee; empty: the wave's default (docs/money.md)")
    reimbursement_limit: Decimal | None = Field(default=None, max_digits=12, decimal_places=2, ge=0)


class AssignmentOut(BaseModel):
    id: int
    audit_id: int
    wave_id: int
    clinic_id: int
    clinic_name: str
    checklist: str
    checklist_version: int | None
    scenario_id: int | None
    shopper: str
    window_start: date | None
    due_on: date | None
    status: str


class AnswerIn(Strict):
    item: str = Field(max_length=120)
    value: AnswerValue = None
    na: bool = False
    comment: str | None = None
    client_change_id: str | None = Field(default=None, max_length=64)
    client_changed_at: ApiDateTime | None = None


class AnswersIn(Strict):
    answers: list[AnswerIn] = Field(max_length=2000)


class AnswerOut(BaseModel):
    item: str
    value: AnswerValue
    na: bool
    comment: str | None
    updated_at: datetime


class EvidenceOut(BaseModel):
    id: int
    kind: str
    item: str | None
    url: str
    thumb_url: str | None
    content_type: str
    size_bytes: int
    width: int | None
    height: int | None
    created_at: datetime


class CheckIn(BaseModel):
    latitude: float
    longitude: float
    accuracy_m: float | None = None
    at: datetime | None
    distance_m: float | None


class AuditOut(BaseModel):
    """An audit as its owner or QA sees it. No score: scores are computed by reports."""

    id: int
    assignment_id: int
    status: str
    wave_id: int
    clinic_id: int
    checklist: str
    checklist_version: int | None
    shopper: str
    submission_count: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    visit_started_at: datetime | None
    visit_ended_at: datetime | None
    checkin: CheckIn | None
    answers: list[AnswerOut]
    evidence: list[EvidenceOut]
    validity: ValidityOut | None = Field(
        default=None, description="QA and admins only, once submitted; absent for the shopper")


class VisitTimesIn(Strict):
    started_at: ApiDateTime | None = None
    ended_at: ApiDateTime | None = None


class CheckInIn(Strict):
    latitude: float
    longitude: float
    accuracy_m: float | None = None
