"""Audit lookup and the one rule every change obeys: only a draft or returned audit can be edited."""

from sqlmodel import Session, col, select

from app.db_types import utcnow
from app.errors import Conflict, NotFound
from app.fieldwork.models import Audit, AuditStatus
from app.i18n import N_

EDITABLE = frozenset({AuditStatus.draft, AuditStatus.returned})


class AuditNotFound(NotFound):
    message = N_("There is no such audit.")


class AuditNotEditable(Conflict):
    message = N_("This audit was submitted and can no longer be changed.")


def get_audit(session: Session, audit_id: int) -> Audit:
    """Raises AuditNotFound."""
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise AuditNotFound()
    return audit


def is_editable(audit: Audit) -> bool:
    return audit.status in EDITABLE


def ensure_editable(audit: Audit) -> None:
    """Raises AuditNotEditable (409) unless the audit is a draft or was returned by QA."""
    if not is_editable(audit):
        raise AuditNotEditable()


def lock(session: Session, audit: Audit) -> None:
    """Hold the audit's row until the transaction ends and read its status afresh.

    Saves (answers, photos and recordings, their removal, visit times, check-in) and submit all take
    this lock, so a save either lands before the submit (and is in what QA receives) or sees the
    submitted status and is refused. PostgreSQL: SELECT ... FOR UPDATE;
    SQLite ignores the clause, but every write transaction there is BEGIN IMMEDIATE (app/db.py), so
    writers already run one at a time.
    """
    session.exec(select(Audit).where(col(Audit.id) == audit.id).with_for_update()
                 .execution_options(populate_existing=True)).one()


def lock_editable(session: Session, audit: Audit) -> None:
    """lock(), then raise AuditNotEditable (409) unless the audit can still be changed."""
    lock(session, audit)
    ensure_editable(audit)


def touch(audit: Audit) -> None:
    audit.updated_at = utcnow()
