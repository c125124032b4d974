"""The ledger: what is owed to each shopper, entry by entry (docs/money.md).

A visit's entry is made when its report is submitted (pending: the fee and the receipt as claimed,
up to the limit), fixed when QA approves it (approved: the fee plus the reimbursement QA accepted),
and cancelled when the report is rejected. Payout batches (payouts.py) take approved entries; an
entry in an exported batch never changes again, a reversal entry takes it back.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.fieldwork.models import Assignment, Audit, AuditStatus, Wave
from app.money import receipts, terms
from app.money.amounts import ZERO
from app.money.models import EntryKind, EntryStatus, LedgerEntry, Payout, Receipt
from app.web.paging import Page, PageRequest, SortKey, fetch_page

CHANGEABLE = (EntryStatus.pending, EntryStatus.approved, EntryStatus.cancelled)


def visit_entry(session: Session, audit_id: int) -> LedgerEntry | None:
    query = select(LedgerEntry).where(LedgerEntry.visit_audit_id == audit_id)
    return session.exec(query.execution_options(populate_existing=True)).first()


def _amounts(session: Session, audit: Audit) -> tuple[Decimal, Decimal]:
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None
    visit_terms = terms.terms_of(session, assignment)
    reimbursement = receipts.reimbursable(receipts.receipt_of(session, audit), visit_terms.reimbursement_limit)
    return visit_terms.fee, reimbursement


def _upsert(session: Session, audit: Audit, status: EntryStatus, fee: Decimal, reimbursement: Decimal) -> LedgerEntry:
    entry = visit_entry(session, audit.id or 0)
    if entry is None:
        entry = LedgerEntry(shopper_id=audit.shopper_id, kind=EntryKind.visit, audit_id=audit.id,
                            visit_audit_id=audit.id, fee=fee, reimbursement=reimbursement,
                            amount=fee + reimbursement, status=status)
        try:
            with session.begin_nested():  # a concurrent submit may have made it first
                session.add(entry)
        except IntegrityError:
            entry = visit_entry(session, audit.id or 0)
            assert entry is not None
    if entry.status not in CHANGEABLE:
        return entry  # in a payout already: only a reversal changes it
    entry.fee, entry.reimbursement, entry.amount = fee, reimbursement, fee + reimbursement
    entry.status = status
    entry.approved_on = utcnow().date() if status == EntryStatus.approved else None
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    return entry


def on_submitted(session: Session, *, audit: Audit) -> LedgerEntry:
    """A submitted (or resubmitted) report: what it would pay, pending QA."""
    fee, reimbursement = _amounts(session, audit)
    return _upsert(session, audit, EntryStatus.pending, fee, reimbursement)


def on_decided(session: Session, *, audit: Audit, reviewer: User) -> LedgerEntry | None:
    """QA's decision: approved fixes the amount (an undecided receipt is accepted up to the limit),
    rejected cancels it, returned leaves it pending."""
    if audit.status == AuditStatus.approved:
        assignment = session.get(Assignment, audit.assignment_id)
        assert assignment is not None
        limit = terms.terms_of(session, assignment).reimbursement_limit
        receipts.accept_if_undecided(session, audit=audit, reviewer=reviewer, limit=limit)
        fee, reimbursement = _amounts(session, audit)
        return _upsert(session, audit, EntryStatus.approved, fee, reimbursement)
    if audit.status == AuditStatus.rejected:
        entry = visit_entry(session, audit.id or 0)
        if entry is not None:
            return _upsert(session, audit, EntryStatus.cancelled, entry.fee, entry.reimbursement)
    return visit_entry(session, audit.id or 0)


@dataclass(frozen=True)
class EarningRow:
    entry: LedgerEntry
    clinic: str | None
    wave: str | None
    visit_date: date | None
    receipt: Receipt | None
    payout: Payout | None


@dataclass(frozen=True)
class Earnings:
    listing: Page[EarningRow]  # one page of the entries
    pending: Decimal  # the totals: over every entry, not the page's
    owed: Decimal  # approved or in a payout, not yet paid
    paid: Decimal

    @property
    def rows(self) -> list[EarningRow]:
        return self.listing.rows


# A shopper's entries: newest first, the id breaking ties.
EARNINGS_ORDER = (SortKey(col(LedgerEntry.created_at), descending=True),
                  SortKey(col(LedgerEntry.id), descending=True))


def _earnings_query(shopper: User) -> Any:
    return (select(LedgerEntry, Clinic.name, Wave.name, Audit.visit_started_at, Receipt, Payout,  # type: ignore[call-overload]
                   Clinic.time_zone)
            .outerjoin(Audit, col(Audit.id) == LedgerEntry.audit_id)
            .outerjoin(Clinic, col(Clinic.id) == Audit.clinic_id)
            .outerjoin(Wave, col(Wave.id) == Audit.wave_id)
            .outerjoin(Receipt, (col(Receipt.audit_id) == LedgerEntry.audit_id)
                       & (col(LedgerEntry.kind) == EntryKind.visit))
            .outerjoin(Payout, col(Payout.id) == LedgerEntry.payout_id)
            .where(LedgerEntry.shopper_id == shopper.id))


def _earning_row(entry: LedgerEntry, clinic: str | None, wave: str | None, started: datetime | None,
                 receipt: Receipt | None, payout: Payout | None, zone: str | None) -> EarningRow:
    return EarningRow(entry, clinic, wave, started.astimezone(time_zones.zone_named(zone)).date() if started else None,
                      receipt, payout)


def earnings_page(session: Session, *, shopper: User, page: PageRequest) -> Earnings:
    """One page of the shopper's own entries (EARNINGS_ORDER) with their totals per state over every
    entry (one GROUP BY in SQL); nobody else's ever. Raises BadPage."""
    found = fetch_page(session, _earnings_query(shopper), order=EARNINGS_ORDER, page=page)
    query = (select(LedgerEntry.status, func.sum(col(LedgerEntry.amount))).where(LedgerEntry.shopper_id == shopper.id)
             .group_by(col(LedgerEntry.status)))
    totals: dict[str, Decimal] = {status: ZERO for status in EntryStatus}
    totals.update({status: amount for status, amount in session.exec(query).all() if amount is not None})
    return Earnings(listing=found.with_rows([_earning_row(*row) for row in found.rows]),
                    pending=totals[EntryStatus.pending],
                    owed=totals[EntryStatus.approved] + totals[EntryStatus.in_payout], paid=totals[EntryStatus.paid])


def reversed_ids(session: Session, entry_ids: list[int]) -> set[int]:
    """Which of these entries a reversal has taken back."""
    if not entry_ids:
        return set()
    query = select(LedgerEntry.reverses_id).where(col(LedgerEntry.reverses_id).in_(entry_ids))
    return {i for i in session.exec(query).all() if i is not None}
