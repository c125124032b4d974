"""Exports for meetings and BI tools: an XLSX workbook (raw answers, audits, clinic × touchpoint,
item pass rates — typed cells, frozen header rows, one sheet each) and a CSV of the raw answers.

Both cover one wave and checklist over the reader's visible clinics (narrowed to a region), the
same selection as the network comparison. Both are generators of bytes for a streamed response:

- the CSV yields its first bytes at once and then every ~64 KB as rows come from the database;
- the XLSX is written by openpyxl in write-only mode (rows go to temporary files, never all in
  memory) and then streamed from a spooled temporary file in chunks (a zip needs its end first).

The raw answers are read in batches of audits, each batch in its own short read transaction
(`session.commit()` after each: these generators run on a read-only session of their own, see
routes.py), so a long export never holds SQLite's write gate nor a long PostgreSQL snapshot.
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlmodel import Session

from app.accounts.models import User
from app.clinics import time_zones
from app.i18n import N_, gettext, localized
from app.reports import cells, lookups, queries
from app.reports.clinic_report import report_clinic
from app.reports.network_report import build_network_report, report_clinic_ids
from app.reports.queries import AuditFilter
from app.wilson import wilson_interval

AUDITS_PER_BATCH = 250  # ≈ 12 000 answers per read transaction
YIELD_PER = 2000
CHUNK = 64 * 1024
SPOOL_BYTES = 8 * 1024 * 1024  # a bigger workbook spills from memory to a temporary file
EXCEL_MAX_ROWS = 1_048_576  # per sheet: more answers continue on "Answers 2", …
ANSWER_HEADER = ["audit_id", "wave", "clinic_id", "clinic", "region", "is_competitor", "touchpoint", "item",
                 "type", "value_num", "value_text", "na", "score", "comment"]


@dataclass(frozen=True)
class Selection:
    """What an export covers; `where` is None when there is nothing approved to export."""

    report: dict[str, Any]  # the network comparison of the same selection
    where: AuditFilter | None
    clinics: dict[int, dict[str, Any]]  # clinic id -> its row of the comparison


def select_export(session: Session, *, user: User, wave: str | None, checklist: str | None,
                  region: str | None, clinic: int | None = None) -> Selection:
    """Resolve the selection like the network comparison does; with `clinic`, only that clinic's
    audits (its gap report's export; the network row stays as the benchmark). Raises WaveNotFound,
    ChecklistNotFound, RegionNotFound, ClinicNotFound (also outside the reader's scope)."""
    if clinic is not None:
        report_clinic(session, user=user, clinic_id=clinic)
    report = build_network_report(session, user=user, wave=wave, checklist=checklist, region=region)
    if report["wave"] is None or report["checklist"] is None:
        return Selection(report, None, {})
    chosen = lookups.find_checklist(session, report["checklist"])
    region_id = report["region"]["id"] if report["region"] else None
    clinic_ids = report_clinic_ids(session, user=user, region_id=region_id)
    behind = lookups.versions_behind(session, AuditFilter(chosen.id or 0, [report["wave"]["id"]], clinic_ids))
    meta = lookups.checklist_meta(session, chosen, behind)
    if clinic is not None:
        clinic_ids = {clinic}
    where = AuditFilter(meta.id, [report["wave"]["id"]], clinic_ids, meta.renames)
    return Selection(report, where, {c["id"]: c for c in report["clinics"] if clinic is None or c["id"] == clinic})


def _naive(value: datetime | None, zone: tzinfo) -> datetime | None:
    """Excel has no time zones: the clinic's wall time (its day is the clinic's, docs/design.md §3)."""
    return value.astimezone(zone).replace(tzinfo=None) if value is not None else None


def _audit_batches(session: Session, where: AuditFilter) -> list[tuple[int, int]]:
    """The approved audits of the selection as (first id, last id) ranges of AUDITS_PER_BATCH audits."""
    audit = queries.approved_audits(where)
    ids = list(session.execute(select(audit.c.audit_id).order_by(audit.c.audit_id)).scalars().all())
    return [(ids[n], ids[min(n + AUDITS_PER_BATCH, len(ids)) - 1]) for n in range(0, len(ids), AUDITS_PER_BATCH)]


def answer_rows(session: Session, selection: Selection) -> Iterator[list[Any]]:
    """Every answer of the selection, in audit and journey order, one batch of audits per read
    transaction (the session's transaction is ended after each batch)."""
    if selection.where is None:
        return
    wave_name = selection.report["wave"]["name"]
    batches = _audit_batches(session, selection.where)
    session.commit()
    for first, last in batches:
        # On the answers' own audit_id (indexed), so each batch reads only its audits' answers.
        query = queries.raw_answers(selection.where).where(queries.answers.c.audit_id.between(first, last))
        for r in session.execute(query.execution_options(yield_per=YIELD_PER)):
            clinic = selection.clinics.get(r.clinic_id, {})
            yield [r.audit_id, wave_name, r.clinic_id, clinic.get("name"), clinic.get("region"),
                   clinic.get("is_competitor"), r.touchpoint_key, r.item_key, r.item_type, r.value_num,
                   r.value_text, bool(r.na), r.s, r.comment]
        session.commit()


def answers_csv(session: Session, selection: Selection) -> Iterator[bytes]:
    """The raw answers as CSV in UTF-8 with a byte-order mark (Excel then opens Cyrillic text
    correctly), yielded in chunks of about CHUNK bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(ANSWER_HEADER)
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in answer_rows(session, selection):
        writer.writerow([cells.csv_value(v) for v in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def workbook_chunks(session: Session, selection: Selection) -> Iterator[bytes]:
    """The workbook (see write_workbook), written to a spooled temporary file, then read out in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as file:
        write_workbook(session, selection, file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


# The workbook is for people: headers and sheet names in the reader's language, numbers rounded for
# reading (the CSV keeps the raw values), set column widths and frozen header rows.
SHEETS = {"answers": N_("Answers"), "audits": N_("Audits"), "matrix": N_("Clinics by touchpoint"),
          "rates": N_("Item pass rates")}
ANSWER_COLUMNS = [(N_("Audit"), 9), (N_("Wave"), 16), (N_("Clinic ID"), 9), (N_("Clinic"), 30), (N_("Region"), 18),
                  (N_("Competitor"), 11), (N_("Touchpoint"), 14), (N_("Item"), 24), (N_("Type"), 9),
                  (N_("Number"), 9), (N_("Text"), 24), (N_("N/A"), 6), (N_("Score"), 8), (N_("Comment"), 40)]
AUDIT_COLUMNS = [(N_("Audit"), 9), (N_("Wave"), 16), (N_("Clinic ID"), 9), (N_("Clinic"), 30), (N_("Region"), 18),
                 (N_("Competitor"), 11), (N_("Visit started"), 18), (N_("Submitted"), 18), (N_("Approved"), 18),
                 (N_("Score"), 8), (N_("Critical failure"), 10)]
RATE_COLUMNS = [(N_("Clinic ID"), 9), (N_("Clinic"), 30), (N_("Item key"), 24), (N_("Pass rate"), 10), ("n", 6),
                (N_("Interval low"), 10), (N_("Interval high"), 10), (N_("Item"), 50)]
DATE_FORMAT, SCORE_FORMAT, RATE_FORMAT = "yyyy-mm-dd hh:mm", "0.0", "0.0%"


def _rounded(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def write_workbook(session: Session, selection: Selection, out: IO[bytes]) -> None:
    """Four sheets in the reader's language, each with a bold frozen header row and set column
    widths; numbers and dates as typed cells, scores to 0.1 and pass rates to 0.1 % (the CSV keeps
    the raw values). Answers beyond Excel's row limit continue on further sheets ("Answers 2", …)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, columns: list[tuple[str, int]]) -> Any:
        ws = book.create_sheet(title[:31])
        ws.freeze_panes = "A2"
        for n, (_label, width) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(n)].width = width
        header = []
        for label, _width in columns:
            cell = WriteOnlyCell(ws, value=gettext(label) if label != "n" else label)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        return ws

    def append(ws: Any, row: list[Any]) -> None:
        ws.append(cells.xlsx_row(ws, row))  # typed text: never a formula

    def typed(ws: Any, value: Any, number_format: str) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell

    answers_title = gettext(SHEETS["answers"])
    answers_ws, rows, part = sheet(answers_title, ANSWER_COLUMNS), 1, 1
    for row in answer_rows(session, selection):
        if rows == EXCEL_MAX_ROWS:
            part += 1
            answers_ws, rows = sheet(f"{answers_title} {part}", ANSWER_COLUMNS), 1
        row[12] = _rounded(row[12], 2)
        append(answers_ws, row)
        rows += 1
    audits_ws = sheet(gettext(SHEETS["audits"]), AUDIT_COLUMNS)
    report = selection.report
    if selection.where is not None:
        zones, network = time_zones.zones_of(session, selection.where.clinic_ids), time_zones.zone_of(None)
        for r in session.execute(queries.audit_rows(selection.where).execution_options(yield_per=YIELD_PER)):
            clinic, zone = selection.clinics.get(r.clinic_id, {}), zones.get(r.clinic_id, network)
            append(audits_ws, [r.audit_id, report["wave"]["name"], r.clinic_id, clinic.get("name"),
                              clinic.get("region"), clinic.get("is_competitor"),
                              typed(audits_ws, _naive(r.visit_started_at, zone), DATE_FORMAT),
                              typed(audits_ws, _naive(r.submitted_at, zone), DATE_FORMAT),
                              typed(audits_ws, _naive(r.decided_at, zone), DATE_FORMAT),
                              typed(audits_ws, _rounded(r.score, 1), SCORE_FORMAT), bool(r.flagged)])
        session.commit()
    keys = report["touchpoints"]
    titles = report.get("touchpoint_titles", {})
    tp_columns = [(localized(titles[k]) if k in titles else k, 14) for k in keys]
    matrix = sheet(gettext(SHEETS["matrix"]), [(N_("Clinic ID"), 9), (N_("Clinic"), 30), (N_("Region"), 18),
                                               (N_("Competitor"), 11), (N_("Visits"), 8), (N_("Score"), 8),
                                               (N_("Rank"), 6)] + tp_columns)
    network = report["network"]
    append(matrix, [None, gettext(N_("Network (branches)")), None, False, None,
                   typed(matrix, _rounded(network["score"], 1), SCORE_FORMAT), None,
                   *[typed(matrix, _rounded(network["touchpoints"].get(k), 1), SCORE_FORMAT) for k in keys]])
    for c in report["clinics"]:
        if c["id"] not in selection.clinics:
            continue
        append(matrix, [c["id"], c["name"], c["region"], c["is_competitor"], c["audits"],
                       typed(matrix, _rounded(c["score"], 1), SCORE_FORMAT), c["rank"],
                       *[typed(matrix, _rounded(c["touchpoints"].get(k), 1), SCORE_FORMAT) for k in keys]])
    rates = sheet(gettext(SHEETS["rates"]), RATE_COLUMNS)
    if selection.where is not None:
        behind = lookups.versions_behind(session, selection.where)  # texts of the versions behind the audits
        meta = lookups.checklist_meta(session, lookups.find_checklist(session, report["checklist"]), behind)
        for r in session.execute(queries.item_pass_rates(selection.where).order_by("clinic_id", "item_key")):
            item = meta.items.get(r.item_key)
            interval = wilson_interval(r.passed, r.n) if item is not None and item.binary else None
            append(rates, [r.clinic_id, selection.clinics.get(r.clinic_id, {}).get("name"), r.item_key,
                          typed(rates, _rounded(r.pass_rate, 3), RATE_FORMAT), r.n,
                          typed(rates, _rounded(interval[0], 3) if interval else None, RATE_FORMAT),
                          typed(rates, _rounded(interval[1], 3) if interval else None, RATE_FORMAT),
                          localized(item.text) if item is not None else r.item_key])
        session.commit()
    book.save(out)
