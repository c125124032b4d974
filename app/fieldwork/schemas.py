"""JSON shapes of the fieldwork API (never the table models themselves)."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.fieldwork.answers import MAX_SEQ
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
    client_device_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="the device's own stable random id; with client_seq its edits are ordered by number")
    client_seq: int | None = Field(default=None, ge=1, le=MAX_SEQ, strict=True,
                                   description="the device's running number of this change, increasing")

    @model_validator(mode="after")
    def device_and_seq_together(self) -> "AnswerIn":
        if (self.client_device_id is None) != (self.client_seq is None):
            raise ValueError("client_device_id and client_seq come together")
        return self


class AnswersIn(Strict):
    answers: list[AnswerIn] = Field(max_length=2000)


class AnswerOut(BaseModel):
    item: str
    value: AnswerValue
    na: bool
    comment: str | None
    updated_at: datetime


class StoredAnswerOut(AnswerOut):
    client_change_id: str | None
    client_device_id: str | None
    client_seq: int | None
    client_changed_at: datetime | None


class AnswerConflictOut(BaseModel):
    """A change that was not applied: the stored answer is newer (docs/design.md §8)."""

    item: str
    client_change_id: str | None
    stored: StoredAnswerOut


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


class AnswersSavedOut(AuditOut):
    applied: list[str] = Field(description="client_change_id of each change now stored")
    conflicts: list[AnswerConflictOut] = Field(
        description="changes not applied because the stored answer is newer; shown to the shopper")


class VisitTimesIn(Strict):
    started_at: ApiDateTime | None = None
    ended_at: ApiDateTime | None = None


class CheckInIn(Strict):
    latitude: float
    longitude: float
    accuracy_m: float | None = None
