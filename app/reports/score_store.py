"""Storing the scores of approved audits (tables in models.py), computed by the SQL of queries.py.

The review gate calls `store_audit_scores` right after an approval. Reports call `store_scores`
first, the fallback for audits approved without it (a restored or copied database): it scores, in
two INSERT … SELECT statements, the approved audits of the checklist (in the given waves) that
have no stored scores yet, and does nothing more than one existence check when all are stored.
Safe under concurrent requests: a row another request stored first is left alone (ON CONFLICT DO
NOTHING).
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.checklists.models import ChecklistVersion
from app.db_types import UTCDateTime, utcnow
from app.fieldwork.models import Audit
from app.reports import queries
from app.reports.models import ScoredAudit, ScoredTouchpoint
from app.reports.queries import AuditFilter


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model))


def store_scores(session: Session, *, checklist_id: int, wave_ids: Collection[int] | None = None,
                 clinic_ids: Collection[int] | None = None) -> int:
    """Store the touchpoint and audit scores of every approved audit of the checklist (in these
    waves and clinics; None = all) not stored yet. Returns how many audits were scored (0 when none
    was due)."""
    missing = AuditFilter(checklist_id, wave_ids, clinic_ids, unscored_only=True)
    due = queries.approved_audits(missing)
    count = session.execute(select(func.count()).select_from(due)).scalar_one()
    if not count:
        return 0
    t = queries.computed_touchpoint_scores(missing)
    touchpoint_columns = ["audit_id", "touchpoint_key", "checklist_id", "wave_id", "clinic_id", "touchpoint_weight",
                          "score", "flagged"]
    session.execute(_insert(session, ScoredTouchpoint).from_select(touchpoint_columns, select(
        t.c.audit_id, t.c.touchpoint_key, literal(checklist_id), t.c.wave_id, t.c.clinic_id, t.c.touchpoint_weight,
        t.c.score, t.c.flagged).where(t.c.audit_id.is_not(None))).on_conflict_do_nothing())
    # (The WHEREs are always true: SQLite needs one between INSERT … SELECT and ON CONFLICT.)
    # The audits' scores from the touchpoint rows just stored (or stored by a concurrent request).
    stored = queries.scored_touchpoints
    per_audit = queries.computed_audit_scores(
        select(stored).where(stored.c.audit_id.in_(select(due.c.audit_id))).subquery()).subquery()
    audit = queries.approved_audits(missing)
    session.execute(_insert(session, ScoredAudit).from_select(
        ["audit_id", "checklist_id", "wave_id", "clinic_id", "score", "flagged", "scored_at"],
        select(audit.c.audit_id, audit.c.checklist_id, audit.c.wave_id, audit.c.clinic_id, per_audit.c.score,
               func.coalesce(per_audit.c.flagged, 0), literal(utcnow(), UTCDateTime()))
        .select_from(audit).outerjoin(per_audit, per_audit.c.audit_id == audit.c.audit_id)
        .where(audit.c.audit_id.is_not(None)))
        .on_conflict_do_nothing())
    return int(count)


def store_audit_scores(session: Session, *, audit: Audit) -> int:
    """Store the scores of one just-approved audit (and of any other unscored approved audit of the
    same checklist, wave and clinic). Returns how many audits were scored."""
    version = session.get(ChecklistVersion, audit.checklist_version_id)
    if version is None:
        return 0
    return store_scores(session, checklist_id=version.checklist_id, wave_ids=[audit.wave_id],
                        clinic_ids=[audit.clinic_id])
