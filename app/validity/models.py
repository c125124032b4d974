"""Visit validity (docs/validity.md): facts read from each file at upload, the verdict per audit and
the per-wave rules that turn facts into a verdict."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class Verdict(StrEnum):
    valid = "valid"
    doubtful = "doubtful"
    invalid = "invalid"


class EvidenceFacts(SQLModel, table=True):
    """What a file said about itself before its metadata was stripped: only derived facts.

    Never coordinates: the distance to the clinic is worked out at upload and the position is
    forgotten. `taken_at` is UTC; `taken_at_zoned` says whether the camera gave its time zone (or a
    GPS time), else the time is the camera's local clock read as UTC.
    """

    __tablename__ = "evidence_facts"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", unique=True, ondelete="CASCADE")
    audit_id: int = Field(foreign_key="audits.id", index=True, ondelete="CASCADE")
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    taken_at_zoned: bool = False
    has_location: bool = False
    distance_m: float | None = None  # None with a location: the clinic has no coordinates
    phash: str | None = Field(default=None, max_length=16, index=True)  # 64-bit perceptual hash, hex
    duration_s: float | None = None  # recordings
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditValidity(SQLModel, table=True):
    """The verdict on an audit, computed at submission (and on demand), with its reasons and facts.

    Reasons are stored as codes and parameters and worded in the reader's language when shown.
    """

    __tablename__ = "audit_validity"

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audits.id", unique=True, ondelete="CASCADE")
    verdict: str = Field(default=Verdict.valid, max_length=10, index=True)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    submission_number: int = 0
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ValidityRules(SQLModel, table=True):
    """A wave's thresholds and severities, as the QA lead set them (rules.RuleSet validates them).

    One JSON document per wave: a rule added later takes its default in waves saved before it."""

    __tablename__ = "validity_rules"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="waves.id", unique=True, ondelete="CASCADE")
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
