"""Audits made straight from the models, so report tests do not depend on the shopper or QA code."""

import itertools
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.checklists.models import ChecklistVersion
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import items_of, save_version
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.fieldwork.models import Answer, Assignment, Audit, Evidence, Wave
from tests.factories import make_user

NA = object()  # an answer marked not applicable
_counter = itertools.count(1)


def make_version(session: Session, doc: dict[str, Any]) -> ChecklistVersion:
    return save_version(session, ChecklistDoc.model_validate(doc)).version


def make_wave(session: Session, name: str | None = None, *, starts_on: date | None = None) -> Wave:
    n = next(_counter)
    start = starts_on or date(2026, 1, 1) + timedelta(days=n)
    wave = Wave(name=name or f"Wave {n}", starts_on=start, ends_on=start + timedelta(days=30))
    session.add(wave)
    session.flush()
    return wave


def make_audit(session: Session, *, version: ChecklistVersion, clinic: Clinic, wave: Wave,
               answers: dict[str, Any], status: str = "approved", shopper: User | None = None,
               comments: dict[str, str] | None = None) -> Audit:
    """An audit with answers by item key: bool for yes_no, a number for scale/number/emotion, the
    option key or text as str, NA for not applicable. Items not given stay unanswered."""
    shopper = shopper or make_user(session, "shopper")
    assignment = Assignment(wave_id=wave.id or 0, clinic_id=clinic.id or 0,
                            checklist_version_id=version.id or 0,
                            shopper_id=shopper.id or 0)
    session.add(assignment)
    session.flush()
    audit = Audit(assignment_id=assignment.id or 0, wave_id=wave.id or 0, clinic_id=clinic.id or 0,
                  checklist_version_id=version.id or 0, shopper_id=shopper.id or 0, status=status,
                  submitted_at=utcnow())
    session.add(audit)
    session.flush()
    by_key = {item.key: item for item in items_of(session, version.id or 0)}
    comments = comments or {}
    for key, value in answers.items():
        item = by_key[key]
        answer = Answer(audit_id=audit.id or 0, item_id=item.id or 0, comment=comments.get(key))
        if value is NA:
            answer.na = True
        elif isinstance(value, bool):
            answer.value_num = 1.0 if value else 0.0
        elif isinstance(value, int | float):
            answer.value_num = float(value)
        else:
            answer.value_text = value
        session.add(answer)
    session.flush()
    return audit


def add_photo(session: Session, audit: Audit, item_key: str) -> Evidence:
    item = next(i for i in items_of(session, audit.checklist_version_id) if i.key == item_key)
    n = next(_counter)
    evidence = Evidence(audit_id=audit.id or 0, item_id=item.id, kind="photo", stored_name=f"p{n}.jpg",
                        thumb_name=f"p{n}.thumb.jpg", content_type="image/jpeg", size_bytes=10,
                        sha256="0" * 64)
    session.add(evidence)
    session.flush()
    return evidence
