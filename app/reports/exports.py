"""Exports for meetings and BI tools: an XLSX workbook (raw answers, audits, clinic × touchpoint,
item pass rates — typed cells, frozen header rows, one sheet each) and a CSV of the raw answers.

Both cover one wave and checklist over the reader's visible clinics (narrowed to a region), the
same selection as the network comparison. Rows are streamed from the database in batches into a
temporary file, so a big network never sits in memory at once.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from sqlmodel import Session

from app.accounts.models import User
from app.reports import lookups, queries
from app.reports.network_report import build_network_report, report_clinic_ids
from app.reports.queries import AuditFilter
from app.wilson import wilson_interval

BATCH = 2000
ANSWER_HEADER = ["audit_id", "wave", "clinic_id", "clinic", "region", "is_competitor", "touchpoint", "item",
                 "type", "value_num", "value_text", "na", "score", "comment"]


@dataclass(frozen=True)
class Selection:
    """What an export covers; `where` is None when there is nothing approved to export."""

    report: dict[str, Any]  # the network comparison of the same selection
    where: AuditFilter | None
    clinics: dict[int, dict[str, Any]]  # clinic id -> its row of the comparison


def select_export(session: Session, *, user: User, wave: str | None, checklist: str | None,
                  region: str | None) -> Selection:
    """Resolve the selection like the network comparison does. Raises WaveNotFound,
    ChecklistNotFound, RegionNotFound."""
    report = build_network_report(session, user=user, wave=wave, checklist=checklist, region=region)
    if report["wave"] is None or report["checklist"] is None:
        return Selection(report, None, {})
    meta = lookups.checklist_meta(session, lookups.find_checklist(session, report["checklist"]))
    region_id = report["region"]["id"] if report["region"] else None
    clinic_ids = report_clinic_ids(session, user=user, region_id=region_id)
    where = AuditFilter(meta.id, [report["wave"]["id"]], clinic_ids, meta.renames)
    return Selection(report, where, {c["id"]: c for c in report["clinics"]})


def _naive(value: datetime | None) -> datetime | None:
    """Excel has no time zones: UTC wall time."""
    return value.replace(tzinfo=None) if value is not None else None


def _answer_rows(session: Session, selection: Selection) -> Iterator[list[Any]]:
    if selection.where is None:
        return
    wave_name = selection.report["wave"]["name"]
    result = session.execute(queries.raw_answers(selection.where).execution_options(yield_per=BATCH))
    for r in result:
        clinic = selection.clinics.get(r.clinic_id, {})
        yield [r.audit_id, wave_name, r.clinic_id, clinic.get("name"), clinic.get("region"),
               clinic.get("is_competitor"), r.touchpoint_key, r.item_key, r.item_type, r.value_num, r.value_text,
               bool(r.na), r.s, r.comment]


def write_answers_csv(session: Session, selection: Selection, out: IO[str]) -> None:
    """UTF-8 with a byte-order mark, so Excel opens Cyrillic text correctly."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(ANSWER_HEADER)
    for row in _answer_rows(session, selection):
        writer.writerow(["" if v is None else v for v in row])


def write_workbook(session: Session, selection: Selection, out: IO[bytes]) -> None:
    """Four sheets, each with a frozen header row; numbers and dates as typed cells."""
    book = Workbook(write_only=True)

    def sheet(title: str, header: list[str]) -> Any:
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.append(header)
        return ws

    answers_ws = sheet("Answers", ANSWER_HEADER)
    for row in _answer_rows(session, selection):
        answers_ws.append(row)
    audits_ws = sheet("Audits", ["audit_id", "wave", "clinic_id", "clinic", "region", "is_competitor",
                                 "visit_started_at", "submitted_at", "approved_at", "score", "critical_failure"])
    report = selection.report
    if selection.where is not None:
        for r in session.execute(queries.audit_rows(selection.where)):
            clinic = selection.clinics.get(r.clinic_id, {})
            audits_ws.append([r.audit_id, report["wave"]["name"], r.clinic_id, clinic.get("name"),
                              clinic.get("region"), clinic.get("is_competitor"), _naive(r.visit_started_at),
                              _naive(r.submitted_at), _naive(r.decided_at), r.score, bool(r.flagged)])
    keys = report["touchpoints"]
    matrix = sheet("Clinic x touchpoint", ["clinic_id", "clinic", "region", "is_competitor", "audits", "score",
                                           "rank", *keys])
    network = report["network"]
    matrix.append([None, "Network (branches)", None, False, None, network["score"], None,
                   *[network["touchpoints"].get(k) for k in keys]])
    for c in report["clinics"]:
        matrix.append([c["id"], c["name"], c["region"], c["is_competitor"], c["audits"], c["score"], c["rank"],
                       *[c["touchpoints"].get(k) for k in keys]])
    rates = sheet("Item pass rates", ["clinic_id", "clinic", "item", "pass_rate", "n", "ci_low", "ci_high"])
    if selection.where is not None:
        meta_binary = _binary_keys(session, report["checklist"])
        for r in session.execute(queries.item_pass_rates(selection.where).order_by("clinic_id", "item_key")):
            interval = wilson_interval(r.passed, r.n) if r.item_key in meta_binary else None
            rates.append([r.clinic_id, selection.clinics.get(r.clinic_id, {}).get("name"), r.item_key,
                          r.pass_rate, r.n, interval[0] if interval else None, interval[1] if interval else None])
    book.save(out)


def _binary_keys(session: Session, slug: str) -> set[str]:
    meta = lookups.checklist_meta(session, lookups.find_checklist(session, slug))
    return {key for key, item in meta.items.items() if item.binary}
