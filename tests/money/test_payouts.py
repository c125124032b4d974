"""Payout batches: all approved entries up to a date, exported once, frozen after export, paid once;
corrections only by reversal entries; exact decimal totals over many entries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from app.accounts.models import Role, User
from app.db_types import utcnow
from app.money import exports, ledger, payouts
from app.money.models import EntryKind, EntryStatus, LedgerEntry
from app.web.paging import PageRequest
from tests.factories import make_user
from tests.money.helpers import approve, paid_wave, submitted_visit


def _approved_entries(session: Session, shopper: User, amounts: list[str]) -> list[LedgerEntry]:
    """Entries straight in the ledger (many of them: building visits would take minutes)."""
    today = utcnow().date()
    entries = [LedgerEntry(shopper_id=shopper.id or 0, kind=EntryKind.adjustment, fee=Decimal(a),
                           reimbursement=Decimal("0.00"), amount=Decimal(a), status=EntryStatus.approved,
                           approved_on=today) for a in amounts]
    session.add_all(entries)
    session.flush()
    return entries


def test_a_batch_of_many_cent_amounts_adds_up_without_drift(session: Session) -> None:
    shopper, admin = make_user(session, Role.shopper), make_user(session, Role.admin)
    _approved_entries(session, shopper, ["0.10"] * 1000 + ["0.01"] * 999 + ["1234567.89"])

    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    session.expire_all()
    payout = payouts.get_payout(session, payout.id or 0)

    assert payout.total == Decimal("1234677.88")  # 100.00 + 9.99 + 1234567.89
    assert isinstance(payout.total, Decimal) and payout.entries == 2000


def test_the_export_carries_the_exact_amounts(session: Session) -> None:
    shopper, admin = make_user(session, Role.shopper, name="Анна"), make_user(session, Role.admin)
    _approved_entries(session, shopper, ["0.10", "0.20", "1500.05"])
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    payouts.export_payout(session, payout=payout, actor=admin)

    rows = list(csv.DictReader(io.StringIO(exports.payout_csv(session, payout).decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(exports.payout_xlsx(session, payout)))
    summary = list(book.worksheets[1].iter_rows(values_only=True))

    assert [r["amount"] for r in rows] == ["0.10", "0.20", "1500.05"]
    assert {r["shopper"] for r in rows} == {"Анна"}
    assert summary[1][0] == "Анна" and Decimal(str(summary[1][3])) == Decimal("1500.35")


def test_a_batch_takes_approved_visits_up_to_its_date_only(session: Session) -> None:
    qa = make_user(session, Role.qa_lead)
    wave = paid_wave(session, fee="1000.00", limit="500.00")
    approved = submitted_visit(session, wave=wave, paid="400.00")
    approve(session, approved, qa)
    pending = submitted_visit(session, wave=wave)

    with pytest.raises(payouts.NothingToPay):
        payouts.create_payout(session, up_to=utcnow().date() - timedelta(days=1), actor=qa)
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=qa)

    assert [e.visit_audit_id for e in payouts.entries_of(session, payout)] == [approved.id]
    assert payout.total == Decimal("1400.00")
    pending_entry = ledger.visit_entry(session, pending.id or 0)
    assert pending_entry is not None and pending_entry.payout_id is None


def test_nothing_is_in_two_batches(session: Session) -> None:
    admin = make_user(session, Role.admin)
    _approved_entries(session, make_user(session, Role.shopper), ["10.00"])
    payouts.create_payout(session, up_to=utcnow().date(), actor=admin)

    with pytest.raises(payouts.NothingToPay):
        payouts.create_payout(session, up_to=utcnow().date(), actor=admin)


def test_a_batch_cannot_be_exported_twice(session: Session) -> None:
    admin = make_user(session, Role.admin)
    _approved_entries(session, make_user(session, Role.shopper), ["10.00"])
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    payouts.export_payout(session, payout=payout, actor=admin)

    with pytest.raises(payouts.AlreadyExported):
        payouts.export_payout(session, payout=payout, actor=admin)


def test_a_batch_cannot_be_edited_after_export(session: Session) -> None:
    admin = make_user(session, Role.admin)
    entry, = _approved_entries(session, make_user(session, Role.shopper), ["10.00"])
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    payouts.export_payout(session, payout=payout, actor=admin)

    with pytest.raises(payouts.BatchFrozen):
        payouts.drop_entry(session, payout=payout, entry_id=entry.id or 0, actor=admin)
    assert [e.id for e in payouts.entries_of(session, payout)] == [entry.id]


def test_an_open_batch_can_drop_an_entry_for_the_next_one(session: Session) -> None:
    admin = make_user(session, Role.admin)
    first, second = _approved_entries(session, make_user(session, Role.shopper), ["10.00", "5.00"])
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)

    payouts.drop_entry(session, payout=payout, entry_id=first.id or 0, actor=admin)

    session.refresh(first)
    assert (payout.total, payout.entries) == (Decimal("5.00"), 1)
    assert (first.status, first.payout_id) == (EntryStatus.approved, None)


def test_paying_marks_every_entry_paid_once(session: Session) -> None:
    admin = make_user(session, Role.admin)
    entry, = _approved_entries(session, make_user(session, Role.shopper), ["10.00"])
    payout = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    with pytest.raises(payouts.NotExported):
        payouts.mark_paid(session, payout=payout, actor=admin)
    payouts.export_payout(session, payout=payout, actor=admin)

    payouts.mark_paid(session, payout=payout, actor=admin)

    session.refresh(entry)
    assert entry.status == EntryStatus.paid
    with pytest.raises(payouts.AlreadyPaid):
        payouts.mark_paid(session, payout=payout, actor=admin)


def test_a_reversal_takes_back_an_exported_entry_in_the_next_batch(session: Session) -> None:
    admin = make_user(session, Role.admin)
    entry, = _approved_entries(session, make_user(session, Role.shopper), ["1500.00"])
    first = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)
    payouts.export_payout(session, payout=first, actor=admin)

    made = payouts.reverse_entry(session, entry=entry, reason="Paid 1000 too much", actor=admin,
                                 fee="500.00")
    second = payouts.create_payout(session, up_to=utcnow().date(), actor=admin)

    assert [e.amount for e in made] == [Decimal("-1500.00"), Decimal("500.00")]
    assert second.total == Decimal("-1000.00")
    assert first.total == Decimal("1500.00")
    with pytest.raises(payouts.AlreadyReversed):
        payouts.reverse_entry(session, entry=entry, reason="again", actor=admin)


def test_an_entry_of_an_open_batch_is_not_reversed(session: Session) -> None:
    admin = make_user(session, Role.admin)
    entry, = _approved_entries(session, make_user(session, Role.shopper), ["10.00"])
    payouts.create_payout(session, up_to=utcnow().date(), actor=admin)

    with pytest.raises(payouts.NotReversible):
        payouts.reverse_entry(session, entry=entry, reason="wrong", actor=admin)


def test_a_shopper_sees_only_their_own_earnings(session: Session) -> None:
    wave = paid_wave(session, fee="1000.00", limit="0.00")
    mine, theirs = make_user(session, Role.shopper), make_user(session, Role.shopper)
    approve(session, submitted_visit(session, shopper=mine, wave=wave, paid=None))
    submitted_visit(session, shopper=mine, wave=wave, paid=None)
    approve(session, submitted_visit(session, shopper=theirs, wave=wave, paid=None))

    earnings = ledger.earnings_page(session, shopper=mine, page=PageRequest())

    assert {row.entry.shopper_id for row in earnings.rows} == {mine.id}
    assert (earnings.pending, earnings.owed, earnings.paid) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00"))
