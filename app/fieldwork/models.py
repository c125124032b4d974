"""Fieldwork: scenarios, waves, assignments, audits, their answers, evidence and reviews."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow

LocalizedText = dict[str, str]


class AuditStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"
    rejected = "rejected"


class Scenario(SQLModel, table=True):
    """The patient persona and script a shopper plays, shown as a brief before the visit."""

    __tablename__ = "scenarios"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    checklist_id: int | None = Field(default=None, foreign_key="checklists.id", index=True)
    title: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    persona: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    story: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    ask: LocalizedText = Field(default_factory=dict, sa_type=JSON)  # what to ask
    avoid: LocalizedText = Field(default_factory=dict, sa_type=JSON)  # what not to reveal
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Wave(SQLModel, table=True):
    __tablename__ = "waves"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    starts_on: date
    ends_on: date
    # Planned visits per clinic, for the wave's progress board.
    visits_per_clinic: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    __tablename__ = "assignments"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="waves.id", index=True)
    clinic_id: int = Field(foreign_key="clinics.id", index=True)
    checklist_version_id: int = Field(foreign_key="checklist_versions.id", index=True)
    scenario_id: int | None = Field(default=None, foreign_key="scenarios.id")
    shopper_id: int = Field(foreign_key="users.id", index=True)
    window_start: date | None = None
    window_end: date | None = None
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Audit(SQLModel, table=True):
    """A shopper's report for one assignment. Wave, clinic and version are copied for report queries."""

    __tablename__ = "audits"
    __table_args__ = (
        Index("ix_audits_report", "status", "checklist_version_id", "wave_id", "clinic_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignments.id", unique=True)
    wave_id: int = Field(foreign_key="waves.id", index=True)
    clinic_id: int = Field(foreign_key="clinics.id", index=True)
    checklist_version_id: int = Field(foreign_key="checklist_versions.id")
    shopper_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default=AuditStatus.draft, max_length=12)
    visit_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    visit_ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checkin_latitude: float | None = None
    checkin_longitude: float | None = None
    checkin_accuracy_m: float | None = None
    checkin_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submission_count: int = 0
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """One answer per audit and item (unique): a retry or double tap replaces, never duplicates.

    Values by item type: yes_no 1/0, scale/number/emotion in value_num; choice key and text in
    value_text. `na` marks not applicable (only where the item allows it).
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("audit_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audits.id", index=True, ondelete="CASCADE")
    item_id: int = Field(foreign_key="items.id", index=True)
    value_num: float | None = None
    value_text: str | None = None
    na: bool = False
    comment: str | None = None
    # The phone's id for the change, the device that made it with its own running number, and its
    # clock: a resend is recognised; one device's edits are ordered by number, devices by clock.
    client_change_id: str | None = Field(default=None, max_length=64)
    client_device_id: str | None = Field(default=None, max_length=64)
    client_seq: int | None = None
    client_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Evidence(SQLModel, table=True):
    """A photo or audio file kept under the media folder with a random name."""

    __tablename__ = "evidence"
    # A resent upload (same client_upload_id) can never be stored twice, even by two workers at once.
    __table_args__ = (UniqueConstraint("audit_id", "client_upload_id"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audits.id", index=True, ondelete="CASCADE")
    item_id: int | None = Field(default=None, foreign_key="items.id", index=True)
    kind: str = Field(max_length=10)  # photo | audio
    stored_name: str = Field(max_length=100, unique=True)
    thumb_name: str | None = Field(default=None, max_length=100)
    content_type: str = Field(max_length=60)
    size_bytes: int
    width: int | None = None
    height: int | None = None
    sha256: str = Field(max_length=64)
    client_upload_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    """A QA decision on a submitted audit: approve, return (with item comments) or reject."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audits.id", index=True, ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="users.id")
    decision: str = Field(max_length=10)  # approve | return | reject
    reason: str = ""
    # Why a report was rejected, where a rule needs it: "recognised" blocks the shopper at the clinic.
    reason_code: str | None = Field(default=None, max_length=20)
    submission_number: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewComment(SQLModel, table=True):
    __tablename__ = "review_comments"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="reviews.id", index=True, ondelete="CASCADE")
    audit_id: int = Field(foreign_key="audits.id", index=True, ondelete="CASCADE")
    item_id: int | None = Field(default=None, foreign_key="items.id")
    text: str
