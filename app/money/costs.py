"""The programme's cost for directors: what the visits of a wave cost at each clinic, and the cost
per valid (approved) visit. Aggregated in SQL over the ledger; reversals count against their visit.
One wave at a time and its clinics a page at a time: the rows grow with clinics × waves."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.clinics.models import Clinic
from app.errors import DomainError, NotFound
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.i18n import N_
from app.money.amounts import CENT, ZERO
from app.money.models import EntryStatus, LedgerEntry
from app.web.paging import Page, PageRequest, SortKey, fetch_page

OWED = (EntryStatus.approved, EntryStatus.in_payout, EntryStatus.paid)


class BadWave(DomainError):
    message = N_("The wave must be given by its number.")


@dataclass(frozen=True)
class CostRow:
    clinic_id: int
    clinic: str
    cost: Decimal
    valid_visits: int
    per_valid_visit: Decimal | None


@dataclass(frozen=True)
class WaveCost:
    """One wave's cost in the reader's scope: its totals, and its clinics one page at a time."""
    wave: Wave | None  # None: no money is owed for any visit in scope yet
    cost: Decimal
    valid_visits: int
    per_valid_visit: Decimal | None
    clinics: Page[CostRow]


# A wave's clinics by name; the id breaks ties between clinics of the same name.
COST_ORDER = (SortKey(col(Clinic.name)), SortKey(col(Clinic.id)))


def _per_visit(cost: Decimal, visits: int) -> Decimal | None:
    return (cost / visits).quantize(CENT, rounding=ROUND_HALF_UP) if visits else None


def _owed(visible: set[int] | None, *columns: Any) -> Any:
    """`columns` over the owed ledger entries with their audits, in scope (None: every clinic)."""
    query = (select(*columns).select_from(LedgerEntry).join(Audit, col(Audit.id) == LedgerEntry.audit_id)
             .where(col(LedgerEntry.status).in_(OWED)))
    return query if visible is None else query.where(col(Audit.clinic_id).in_(visible))


def costed_wave_ids(session: Session, user: User) -> Any:
    """The waves with owed money in the reader's scope, as a subquery (the wave filter's choices)."""
    return _owed(visible_clinic_ids(session, user), col(Audit.wave_id))


def wave_cost(session: Session, *, user: User, wave_id: int | None, page: PageRequest) -> WaveCost:
    """What the visits of one wave cost, per clinic, and the cost per valid (approved) visit; the
    newest wave with owed money when none is chosen. Raises NotFound for a wave that does not exist,
    BadPage for a cursor that is not this list's."""
    visible = visible_clinic_ids(session, user)
    if wave_id is not None:
        wave = session.get(Wave, wave_id)
        if wave is None:
            raise NotFound()
    else:
        wave = session.exec(select(Wave).where(col(Wave.id).in_(_owed(visible, col(Audit.wave_id))))
                            .order_by(col(Wave.starts_on).desc(), col(Wave.id).desc()).limit(1)).first()
    # No wave with owed money yet: the same reads over nothing, so a page link is checked as ever.
    in_wave = col(Audit.wave_id) == wave.id if wave is not None else false()
    listing = (_owed(visible, col(Clinic.id), col(Clinic.name), func.sum(col(LedgerEntry.amount)))
               .join(Clinic, col(Clinic.id) == Audit.clinic_id).where(in_wave)
               .group_by(col(Clinic.id), col(Clinic.name)))
    found = fetch_page(session, listing, order=COST_ORDER, page=page)
    approved = select(col(Audit.clinic_id), func.count(col(Audit.id))).where(
        col(Audit.status) == AuditStatus.approved, in_wave)
    page_ids = [clinic_id for clinic_id, _name, _cost in found.rows]
    valid = dict(session.exec(approved.where(col(Audit.clinic_id).in_(page_ids))
                              .group_by(col(Audit.clinic_id))).all()) if page_ids else {}
    rows = [CostRow(clinic_id, name, cost or ZERO, valid.get(clinic_id, 0),
                    _per_visit(cost or ZERO, valid.get(clinic_id, 0))) for clinic_id, name, cost in found.rows]
    total = session.exec(_owed(visible, func.sum(col(LedgerEntry.amount))).where(in_wave)).one() or ZERO
    costed = _owed(visible, col(Audit.clinic_id)).where(in_wave)
    visits = session.exec(select(func.count(col(Audit.id))).where(
        col(Audit.status) == AuditStatus.approved, in_wave, col(Audit.clinic_id).in_(costed))).one()
    return WaveCost(wave, total, visits, _per_visit(total, visits), found.with_rows(rows))
