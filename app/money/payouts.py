"""Payout batches: all approved entries up to a date, exported once for accounting, marked paid.

Every transition is one conditional UPDATE, so two people pressing the same button at once give one
result: an entry joins a batch only while it is in none (nothing is paid twice), a batch is exported
only while open and paid only once exported. After export a batch never changes: a wrong entry is
taken back by a reversal entry (and, if need be, an adjustment), which the next batch pays.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.db_types import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import N_
from app.money.amounts import ZERO, currency, signed, to_amount
from app.money.models import EntryKind, EntryStatus, LedgerEntry, Payout, PayoutStatus
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page


class PayoutNotFound(NotFound):
    message = N_("There is no payout batch {payout_id}.")


class NothingToPay(Invalid):
    message = N_("No approved amounts up to {date}: there is nothing to pay.")


class AlreadyExported(Conflict):
    message = N_("This batch was already exported on {when}; it cannot be exported again.")


class BatchFrozen(Conflict):
    message = N_("This batch was exported and can no longer change; correct an entry with a reversal.")


class NotExported(Conflict):
    message = N_("Export the batch for accounting before marking it paid.")


class AlreadyPaid(Conflict):
    message = N_("This batch was already marked paid.")


class NotReversible(Conflict):
    message = N_("Only an entry of an exported or paid batch is reversed; an open batch can simply drop it.")


class AlreadyReversed(Conflict):
    message = N_("This entry was already reversed.")


def get_payout(session: Session, payout_id: int) -> Payout:
    payout = session.get(Payout, payout_id)
    if payout is None:
        raise PayoutNotFound(payout_id=payout_id)
    return payout


PAYOUT_ORDER = (SortKey(col(Payout.created_at), descending=True), SortKey(col(Payout.id), descending=True))


def payouts_page(session: Session, *, page: PageRequest) -> Page[Payout]:
    """One page of batches, the newest first. Raises BadPage for a cursor that is not this list's."""
    return fetch_page(session, select(Payout), order=PAYOUT_ORDER, page=page)


def entries_of(session: Session, payout: Payout) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.payout_id == payout.id).order_by(
        col(LedgerEntry.shopper_id), col(LedgerEntry.id))
    return list(session.exec(query.execution_options(populate_existing=True)).all())


def _recount(session: Session, payout: Payout) -> None:
    count, total = session.exec(select(func.count(col(LedgerEntry.id)), func.sum(col(LedgerEntry.amount)))
                                .where(LedgerEntry.payout_id == payout.id)).one()
    payout.entries, payout.total = count, total if total is not None else ZERO
    session.add(payout)
    session.flush()


def create_payout(session: Session, *, up_to: date, actor: User) -> Payout:
    """A batch of every approved entry (visits, reversals, adjustments) approved on or before up_to
    that is in no batch yet. Raises NothingToPay (422)."""
    with session.begin_nested():
        payout = Payout(up_to=up_to, currency=currency(), created_by_id=actor.id)
        session.add(payout)
        session.flush()
        taken = session.exec(  # type: ignore[call-overload]
            update(LedgerEntry)
            .where(col(LedgerEntry.status) == EntryStatus.approved, col(LedgerEntry.payout_id).is_(None),
                   col(LedgerEntry.approved_on) <= up_to)
            .values(payout_id=payout.id, status=EntryStatus.in_payout, updated_at=utcnow())
            .execution_options(synchronize_session=False))
        if taken.rowcount == 0:
            raise NothingToPay(date=up_to.isoformat())
        _recount(session, payout)
    trail.record(session, actor=actor, verb="payout.create", entity="payout", entity_id=payout.id,
                 up_to=up_to.isoformat(), entries=payout.entries, total=str(payout.total))
    return payout


def _ensure_open(session: Session, payout: Payout) -> None:
    session.refresh(payout)
    if payout.status != PayoutStatus.open:
        raise BatchFrozen()


def drop_entry(session: Session, *, payout: Payout, entry_id: int, actor: User) -> Payout:
    """Take an entry out of an open batch (it waits for the next one). Raises BatchFrozen (409),
    NotFound."""
    _ensure_open(session, payout)
    released = session.exec(  # type: ignore[call-overload]
        update(LedgerEntry).where(col(LedgerEntry.id) == entry_id, col(LedgerEntry.payout_id) == payout.id)
        .values(payout_id=None, status=EntryStatus.approved, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if released.rowcount != 1:
        raise NotFound()
    _recount(session, payout)
    trail.record(session, actor=actor, verb="payout.drop", entity="payout", entity_id=payout.id, entry_id=entry_id)
    return payout


def export_payout(session: Session, *, payout: Payout, actor: User) -> Payout:
    """Freeze the batch for accounting, once. Raises AlreadyExported (409)."""
    now = utcnow()
    done = session.exec(  # type: ignore[call-overload]
        update(Payout).where(col(Payout.id) == payout.id, col(Payout.status) == PayoutStatus.open)
        .values(status=PayoutStatus.exported, exported_at=now, exported_by_id=actor.id)
        .execution_options(synchronize_session=False))
    session.refresh(payout)
    if done.rowcount != 1:
        when = payout.exported_at.strftime("%Y-%m-%d %H:%M") if payout.exported_at else "?"
        raise AlreadyExported(when=when)
    _recount(session, payout)
    trail.record(session, actor=actor, verb="payout.export", entity="payout", entity_id=payout.id,
                 entries=payout.entries, total=str(payout.total))
    return payout


def mark_paid(session: Session, *, payout: Payout, actor: User) -> Payout:
    """The exported batch was paid: its entries become paid. Raises NotExported, AlreadyPaid (409)."""
    now = utcnow()
    done = session.exec(  # type: ignore[call-overload]
        update(Payout).where(col(Payout.id) == payout.id, col(Payout.status) == PayoutStatus.exported)
        .values(status=PayoutStatus.paid, paid_at=now, paid_by_id=actor.id)
        .execution_options(synchronize_session=False))
    session.refresh(payout)
    if done.rowcount != 1:
        raise AlreadyPaid() if payout.status == PayoutStatus.paid else NotExported()
    session.exec(update(LedgerEntry).where(col(LedgerEntry.payout_id) == payout.id)  # type: ignore[call-overload]
                 .values(status=EntryStatus.paid, updated_at=now).execution_options(synchronize_session=False))
    trail.record(session, actor=actor, verb="payout.paid", entity="payout", entity_id=payout.id,
                 total=str(payout.total))
    session.flush()
    return payout


def reverse_entry(session: Session, *, entry: LedgerEntry, reason: str, actor: User,
                  fee: object | None = None, reimbursement: object | None = None) -> list[LedgerEntry]:
    """Take back an entry of an exported or paid batch with a negative entry, and optionally owe the
    right amount instead (an adjustment with the given fee and reimbursement). Both wait for the next
    batch. Raises NotReversible, AlreadyReversed (409), Invalid without a reason, NotAnAmount."""
    reason = reason.strip()
    if not reason:
        raise Invalid(N_("Give the reason for the reversal."))
    session.refresh(entry)  # batches move entries by bulk UPDATE: read where it is now
    payout = session.get(Payout, entry.payout_id, populate_existing=True) if entry.payout_id else None
    if payout is None or payout.status == PayoutStatus.open or entry.kind == EntryKind.reversal:
        raise NotReversible()
    if session.exec(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)).first() is not None:
        raise AlreadyReversed()
    today = utcnow().date()
    reversal = LedgerEntry(shopper_id=entry.shopper_id, kind=EntryKind.reversal, audit_id=entry.audit_id,
                           reverses_id=entry.id, fee=signed(-entry.fee), reimbursement=signed(-entry.reimbursement),
                           amount=signed(-entry.amount), status=EntryStatus.approved, approved_on=today,
                           note=reason, created_by_id=actor.id)
    made = [reversal]
    if fee is not None or reimbursement is not None:
        new_fee = to_amount(fee if fee is not None else "0")
        new_reimbursement = to_amount(reimbursement if reimbursement is not None else "0")
        made.append(LedgerEntry(shopper_id=entry.shopper_id, kind=EntryKind.adjustment, audit_id=entry.audit_id,
                                fee=new_fee, reimbursement=new_reimbursement, amount=new_fee + new_reimbursement,
                                status=EntryStatus.approved, approved_on=today, note=reason,
                                created_by_id=actor.id))
    session.add_all(made)
    session.flush()
    trail.record(session, actor=actor, verb="ledger.reverse", entity="ledger_entry", entity_id=entry.id,
                 reason=reason, made=[e.id for e in made])
    return made


@dataclass(frozen=True)
class Payable:
    entries: int
    total: Decimal


def payable(session: Session, *, up_to: date) -> Payable:
    """What a batch made now up to that date would hold."""
    count, total = session.exec(select(func.count(col(LedgerEntry.id)), func.sum(col(LedgerEntry.amount)))
                                .where(LedgerEntry.status == EntryStatus.approved,
                                       col(LedgerEntry.payout_id).is_(None),
                                       col(LedgerEntry.approved_on) <= up_to)).one()
    return Payable(count, total if total is not None else ZERO)
