"""The review queue: submitted audits waiting for a decision, oldest first, with filters."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists.models import Checklist, ChecklistVersion
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.i18n import gettext
from app.validity.models import AuditValidity, Verdict
from app.validity.wording import VERDICT_LABELS, reason_message
from app.web import choices
from app.web.choices import ChoiceList
from app.web.paging import Page, PageRequest, SortKey, fetch_page


@dataclass(frozen=True)
class QueueRow:
    audit_id: int
    clinic: str
    wave: str
    checklist: str
    version: int | None
    shopper: str
    submitted_at: datetime | None
    submission_count: int
    waiting_hours: float | None
    validity: str | None = None  # valid | doubtful | invalid; None: not checked yet (docs/validity.md)
    validity_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueFilters:
    wave_id: int | None = None
    clinic_id: int | None = None
    checklist_id: int | None = None
    shopper_id: int | None = None
    validity: str | None = None  # a verdict, or "unchecked"


# Submitted once at least, so never NULL in the queue; coalesce keeps the key comparable regardless.
QUEUE_ORDER = (SortKey(func.coalesce(col(Audit.submitted_at), datetime(1970, 1, 1, tzinfo=UTC))),
               SortKey(col(Audit.id)))


def _queue_query(filters: QueueFilters, *columns: Any) -> Any:
    query = (select(*columns)
             .join(Clinic, col(Audit.clinic_id) == Clinic.id)
             .join(Wave, col(Audit.wave_id) == Wave.id)
             .join(ChecklistVersion, col(Audit.checklist_version_id) == ChecklistVersion.id)
             .join(Checklist, col(ChecklistVersion.checklist_id) == Checklist.id)
             .join(User, col(Audit.shopper_id) == User.id)
             .outerjoin(AuditValidity, col(AuditValidity.audit_id) == Audit.id)
             .where(Audit.status == AuditStatus.submitted))
    if filters.wave_id:
        query = query.where(Audit.wave_id == filters.wave_id)
    if filters.clinic_id:
        query = query.where(Audit.clinic_id == filters.clinic_id)
    if filters.checklist_id:
        query = query.where(ChecklistVersion.checklist_id == filters.checklist_id)
    if filters.shopper_id:
        query = query.where(Audit.shopper_id == filters.shopper_id)
    if filters.validity in VERDICT_LABELS:
        query = query.where(AuditValidity.verdict == filters.validity)
    elif filters.validity == "unchecked":
        query = query.where(col(AuditValidity.id).is_(None))
    return query


def queue_size(session: Session, filters: QueueFilters | None = None) -> int:
    """How many audits the filters leave waiting (one COUNT, whatever the page)."""
    return int(session.exec(_queue_query(filters or QueueFilters(), func.count(col(Audit.id)))).one())


def review_queue(session: Session, filters: QueueFilters | None = None,
                 page: PageRequest | None = None) -> Page[QueueRow]:
    """One page of submitted audits, the longest waiting first; a resubmission waits from its latest submit.
    Raises BadPage for a cursor that is not this list's."""
    query = _queue_query(filters or QueueFilters(), Audit.id, Clinic.name, Wave.name, Checklist.slug,
                         ChecklistVersion.version, User.name, User.email, Audit.submitted_at,
                         Audit.submission_count, AuditValidity.verdict, AuditValidity.reasons)
    found = fetch_page(session, query, order=QUEUE_ORDER, page=page or PageRequest())
    now = utcnow()
    rows = [QueueRow(audit_id=audit_id or 0, clinic=clinic, wave=wave, checklist=slug, version=version,
                     shopper=name or email, submitted_at=submitted_at, submission_count=count,
                     waiting_hours=(now - submitted_at).total_seconds() / 3600 if submitted_at else None,
                     validity=verdict, validity_reasons=tuple(reason_message(r) for r in reasons or ()))
            for audit_id, clinic, wave, slug, version, name, email, submitted_at, count, verdict, reasons
            in found.rows]
    return found.with_rows(rows)


@dataclass(frozen=True)
class FilterChoices:
    waves: ChoiceList
    clinics: ChoiceList
    checklists: list[tuple[int, str]]
    shoppers: ChoiceList
    validity: list[tuple[str, str]]


def filter_choices(request: Request, session: Session, filters: QueueFilters) -> FilterChoices:
    """What the queue's filter menus offer: waves, clinics and shoppers a page at a time with a search
    (app/web/choices.py); checklists and verdicts are few."""
    checklists = session.exec(select(Checklist.id, Checklist.slug).order_by(col(Checklist.slug))).all()
    return FilterChoices(waves=choices.for_field(request, session, "waves", "wave", filters.wave_id),
                         clinics=choices.for_field(request, session, "clinics", "clinic", filters.clinic_id),
                         checklists=[(i or 0, s) for i, s in checklists],
                         shoppers=choices.for_field(request, session, "shoppers", "shopper",
                                                    filters.shopper_id),
                         validity=[(v.value, gettext(VERDICT_LABELS[v.value])) for v in Verdict]
                         + [("unchecked", gettext("not checked"))])
