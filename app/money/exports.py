"""The payout batch for accounting: CSV (one row per entry) and XLSX (entries and a sheet per
shopper totals). Amounts are written as exact decimals with two places, never through floats."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, Wave
from app.i18n import gettext
from app.money.amounts import ZERO
from app.money.models import EntryKind, LedgerEntry, Payout
from app.web.paging import Page, PageRequest, SortKey, fetch_page

ENTRY_COLUMNS = ("payout", "entry", "kind", "shopper", "email", "visit", "clinic", "wave", "visit_date",
                 "fee", "reimbursement", "amount", "currency", "note")


@dataclass(frozen=True)
class ExportRow:
    entry: LedgerEntry
    shopper: str
    email: str
    clinic: str
    wave: str
    visit_date: date | None


# A batch's entries: by shopper (email), then entry. The same order on the page and in the files.
ENTRY_ORDER = (SortKey(col(User.email)), SortKey(col(LedgerEntry.id)))


def _export_query(payout: Payout) -> Any:
    return (select(LedgerEntry, User.name, User.email, Clinic.name, Wave.name, Audit.visit_started_at,  # type: ignore[call-overload]
                   Clinic.time_zone)
            .join(User, col(User.id) == LedgerEntry.shopper_id)
            .outerjoin(Audit, col(Audit.id) == LedgerEntry.audit_id)
            .outerjoin(Clinic, col(Clinic.id) == Audit.clinic_id)
            .outerjoin(Wave, col(Wave.id) == Audit.wave_id)
            .where(LedgerEntry.payout_id == payout.id)
            .order_by(*(key.ordered() for key in ENTRY_ORDER)))


def _export_row(entry: LedgerEntry, name: str | None, email: str, clinic: str | None, wave: str | None,
                started: datetime | None, zone: str | None) -> ExportRow:
    # The visit's date is the clinic's (docs/design.md §3).
    return ExportRow(entry, name or email, email, clinic or "", wave or "",
                     started.astimezone(time_zones.zone_named(zone)).date() if started else None)


def export_rows(session: Session, payout: Payout) -> list[ExportRow]:
    """Every entry of the batch, for the files accounting gets (the page reads entries_page)."""
    return [_export_row(*row) for row in session.exec(_export_query(payout)).all()]


def entries_page(session: Session, payout: Payout, *, page: PageRequest) -> Page[ExportRow]:
    """One page of the batch's entries in ENTRY_ORDER. Raises BadPage for a cursor not this list's."""
    found = fetch_page(session, _export_query(payout), order=ENTRY_ORDER, page=page)
    return found.with_rows([_export_row(*row) for row in found.rows])


def shopper_totals_of(session: Session, payout: Payout, shopper_ids: list[int]) -> list[tuple[str, str, int, Decimal]]:
    """(shopper, email, visits, amount) in the batch for these shoppers (a page's: at most a page of
    them), by email; summed in SQL over all their entries in the batch, as shopper_totals sums the
    rows of the files."""
    if not shopper_ids:
        return []
    query = (select(User.name, User.email, func.sum(case((col(LedgerEntry.kind) == EntryKind.visit, 1), else_=0)),
                    func.sum(col(LedgerEntry.amount)))
             .join(User, col(User.id) == LedgerEntry.shopper_id)
             .where(LedgerEntry.payout_id == payout.id, col(LedgerEntry.shopper_id).in_(sorted(set(shopper_ids))))
             .group_by(col(User.id), col(User.name), col(User.email)))  # a lookup by key: sorted here
    return sorted(((name or email, email, int(visits or 0), amount if amount is not None else ZERO)
                   for name, email, visits, amount in session.exec(query).all()), key=lambda total: total[1])


def _values(payout: Payout, row: ExportRow) -> list[object]:
    e = row.entry
    return [payout.id, e.id, e.kind, row.shopper, row.email, e.audit_id or "", row.clinic, row.wave,
            row.visit_date.isoformat() if row.visit_date else "", e.fee, e.reimbursement, e.amount,
            payout.currency, e.note]


def payout_csv(session: Session, payout: Payout) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ENTRY_COLUMNS)
    for row in export_rows(session, payout):
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else v for v in _values(payout, row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 names right


def shopper_totals(rows: list[ExportRow]) -> list[tuple[str, str, int, Decimal]]:
    """(shopper, email, visits, amount) per shopper, by email."""
    totals: dict[str, tuple[str, int, Decimal]] = {}
    for row in rows:
        name, visits, amount = totals.get(row.email, (row.shopper, 0, ZERO))
        totals[row.email] = (name, visits + (row.entry.kind == "visit"), amount + row.entry.amount)
    return [(name, email, visits, amount) for email, (name, visits, amount) in sorted(totals.items())]


def payout_xlsx(session: Session, payout: Payout) -> bytes:
    rows = export_rows(session, payout)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Entries")[:31]
    sheet.append(list(ENTRY_COLUMNS))
    for row in rows:
        sheet.append(_values(payout, row))
        for cell in sheet[sheet.max_row][9:12]:
            cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    summary = book.create_sheet(gettext("Shoppers")[:31])
    summary.append(["shopper", "email", "visits", "amount", "currency"])
    for name, email, visits, amount in shopper_totals(rows):
        summary.append([name, email, visits, amount, payout.currency])
        summary.cell(row=summary.max_row, column=4).number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
