"""The payout batch for accounting: CSV (one row per entry) and XLSX (entries and a sheet per
shopper totals). Amounts are written as exact decimals with two places, never through floats."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, Wave
from app.i18n import gettext
from app.money.amounts import ZERO
from app.money.models import LedgerEntry, Payout

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


def export_rows(session: Session, payout: Payout) -> list[ExportRow]:
    query = (select(LedgerEntry, User.name, User.email, Clinic.name, Wave.name, Audit.visit_started_at,  # type: ignore[call-overload]
                    Clinic.time_zone)
             .join(User, col(User.id) == LedgerEntry.shopper_id)
             .outerjoin(Audit, col(Audit.id) == LedgerEntry.audit_id)
             .outerjoin(Clinic, col(Clinic.id) == Audit.clinic_id)
             .outerjoin(Wave, col(Wave.id) == Audit.wave_id)
             .where(LedgerEntry.payout_id == payout.id)
             .order_by(col(User.email), col(LedgerEntry.id)))
    # The visit's date is the clinic's (docs/design.md §3).
    return [ExportRow(entry, name or email, email, clinic or "", wave or "",
                      started.astimezone(time_zones.zone_named(zone)).date() if started else None)
            for entry, name, email, clinic, wave, started, zone in session.exec(query).all()]


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
