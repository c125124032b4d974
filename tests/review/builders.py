"""Audits in every state for the review and planning tests, built through fieldwork's assignment
functions and then filled and submitted directly on the rows (the shopper's side is not under test)."""

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.checklists import versions
from app.checklists.schema import ChecklistDoc
from app.clinics.models import Clinic
from app.fieldwork import assignments, waves
from app.fieldwork.models import Answer, Assignment, Audit, AuditStatus, Wave
from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_user

SLUG = "test-clinic"
_waves = itertools.count(1)
VISIT_END = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def make_wave(session: Session, *, name: str | None = None, visits_per_clinic: int = 1) -> Wave:
    return waves.create_wave(session, name=name or f"Wave {next(_waves)}", starts_on=date(2026, 3, 1),
                             ends_on=date(2026, 3, 31), visits_per_clinic=visits_per_clinic)


def ensure_checklist(session: Session) -> None:
    versions.save_version(session, ChecklistDoc.model_validate(small_checklist(SLUG)))


def make_draft(session: Session, *, shopper: User | None = None, clinic: Clinic | None = None,
               wave: Wave | None = None, window_end: date | None = None) -> Audit:
    ensure_checklist(session)
    assignment = assignments.assign_visit(
        session, wave=wave or make_wave(session), clinic=clinic or make_clinic(session), checklist_slug=SLUG,
        scenario=None, shopper=shopper or make_user(session, Role.shopper), window_end=window_end)
    return audit_of(session, assignment)


def audit_of(session: Session, assignment: Assignment) -> Audit:
    return session.exec(select(Audit).where(Audit.assignment_id == assignment.id)).one()


def answer(session: Session, audit: Audit, key: str, *, num: float | None = None, text: str | None = None,
           comment: str | None = None, at: datetime | None = None) -> Answer:
    item = versions.item_for(session, audit.checklist_version_id, key)
    row = Answer(audit_id=audit.id or 0, item_id=item.id or 0, value_num=num, value_text=text,
                 comment=comment)
    if at is not None:
        row.created_at = row.updated_at = at
    session.add(row)
    session.flush()
    return row


def submit(session: Session, audit: Audit, *, visit_end: datetime = VISIT_END,
           hours_after: float = 3.0) -> Audit:
    """Mark the audit submitted (again), `hours_after` the end of the visit."""
    audit.visit_started_at = visit_end - timedelta(hours=1)
    audit.visit_ended_at = visit_end
    audit.submitted_at = visit_end + timedelta(hours=hours_after)
    audit.submission_count += 1
    audit.status = AuditStatus.submitted
    session.add(audit)
    session.flush()
    return audit


def make_submitted(session: Session, **kwargs: object) -> Audit:
    audit = make_draft(session, **kwargs)  # type: ignore[arg-type]
    answer(session, audit, "call.greeting", num=1)
    answer(session, audit, "reception.wait", text="medium", comment="Twelve minutes")
    return submit(session, audit)
