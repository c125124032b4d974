"""Stored scores of approved audits, so a report reads a few rows per audit instead of every answer.

An approved audit never changes (its answers are frozen once submitted and approval is final; its
checklist version is immutable), so its touchpoint and audit scores, computed once by the SQL of
queries.py, stay true. Rows are written the first time a report needs them (score_store.py) and
go away with the audit (ON DELETE CASCADE).
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class ScoredAudit(SQLModel, table=True):
    """One row per approved audit that has been scored; score is None when nothing was scored."""

    __tablename__ = "scored_audits"
    __table_args__ = (Index("ix_scored_audits_report", "checklist_id", "wave_id", "clinic_id"),)

    audit_id: int = Field(foreign_key="audits.id", primary_key=True, ondelete="CASCADE")
    checklist_id: int
    wave_id: int
    clinic_id: int
    score: float | None = None
    flagged: int = 0  # 1: a critical item failed somewhere in the audit
    scored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScoredTouchpoint(SQLModel, table=True):
    """One row per approved audit and touchpoint with a score (docs/design.md §5, critical policy applied)."""

    __tablename__ = "scored_touchpoints"
    __table_args__ = (Index("ix_scored_touchpoints_report", "checklist_id", "wave_id", "clinic_id"),)

    audit_id: int = Field(foreign_key="audits.id", primary_key=True, ondelete="CASCADE")
    touchpoint_key: str = Field(max_length=60, primary_key=True)
    checklist_id: int
    wave_id: int
    clinic_id: int
    touchpoint_weight: float
    score: float
    flagged: int = 0
