"""The reports' jobs (docs/jobs.md): the gap report as a PDF and the XLSX/CSV exports of a wave,
prepared by a worker for the person who asked; and storing the scores of an approved audit."""

import logging
from collections.abc import Collection

from sqlalchemy import event
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.scope import clinic_in_scope
from app.checklists.models import ChecklistVersion
from app.db import read_session, write_session
from app.errors import NotFound
from app.fieldwork.models import Audit
from app.jobs.builders import BuildContext, Builder, Built, Params, register
from app.jobs.queue import QueueUnavailable, enqueue, huey
from app.reports import exports, lookups, routes, score_store

log = logging.getLogger("mystery_patient.jobs")
READERS = frozenset({Role.director, Role.qa_lead, Role.admin, Role.manager})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clinic_param(params: Params) -> int:
    try:
        return int(params.get("clinic_id") or "")
    except ValueError:
        raise NotFound() from None


def check_filters(session: Session, params: Params) -> None:
    """The wave, checklist and region named exist (else their NotFound, before any work starts)."""
    if params.get("wave"):
        lookups.find_wave(session, params["wave"] or "")
    if params.get("checklist"):
        lookups.find_checklist(session, params["checklist"] or "")
    if params.get("region"):
        lookups.find_region(session, params["region"] or "")


def store_due_scores() -> int:
    """Store the scores of approved audits not stored yet, one short write transaction per checklist
    and wave. Builders call it first: the report's own lazy storing then finds nothing to write,
    since a reader turning writer would hold the write lock through the whole build (Chromium
    included) and every save would wait. Returns how many audits were scored."""
    with read_session() as session:
        pairs = session.execute(select(ChecklistVersion.checklist_id, Audit.wave_id).join(
            Audit, col(Audit.checklist_version_id) == ChecklistVersion.id).where(Audit.status == "approved")
            .distinct()).tuples().all()
    scored = 0
    for checklist_id, wave_id in pairs:
        with write_session() as session:
            scored += score_store.store_scores(session, checklist_id=checklist_id, wave_ids=[wave_id])
    return scored


def _check_clinic_pdf(session: Session, user: User, params: Params) -> None:
    clinic_in_scope(session, user, clinic_param(params))
    check_filters(session, params)


def _build_clinic_pdf(context: BuildContext) -> Built:
    clinic_id = clinic_param(context.params)
    store_due_scores()
    context.progress(0.1)
    content, filename = routes.clinic_pdf_file(context.request, context.session, user=context.user,
                                               clinic_id=clinic_id, wave=context.params.get("wave"),
                                               checklist=context.params.get("checklist"))
    context.out.write(content)
    return Built(filename, "application/pdf", [clinic_id])


def _check_export(session: Session, user: User, params: Params) -> None:
    check_filters(session, params)


def _selection(context: BuildContext) -> exports.Selection:
    store_due_scores()
    params = context.params
    return exports.select_export(context.session, user=context.user, wave=params.get("wave"),
                                 checklist=params.get("checklist"), region=params.get("region"))


def _covered(selection: exports.Selection) -> list[int] | None:
    clinic_ids = selection.where.clinic_ids if selection.where is not None else []
    return sorted(clinic_ids) if clinic_ids is not None else None


def _count_batches(context: BuildContext, selection: exports.Selection) -> None:
    """Progress from the export's own rhythm: it ends one read transaction per batch of audits."""
    if selection.where is None:
        return
    total = max(1, len(exports._audit_batches(context.session, selection.where)))
    done = [0]

    def after_commit(_session: Session) -> None:
        done[0] += 1
        context.progress(0.05 + 0.9 * min(1.0, done[0] / total))

    event.listen(context.session, "after_commit", after_commit)


def _name(selection: exports.Selection, extension: str) -> str:
    report = selection.report
    wave = report["wave"]["id"] if report["wave"] else "none"
    return f"mystery-patient-{report['checklist'] or 'none'}-wave-{wave}.{extension}"


def _build_xlsx(context: BuildContext) -> Built:
    selection = _selection(context)
    _count_batches(context, selection)
    exports.write_workbook(context.session, selection, context.out)
    return Built(_name(selection, "xlsx"), XLSX_TYPE, _covered(selection))


def _build_csv(context: BuildContext) -> Built:
    selection = _selection(context)
    _count_batches(context, selection)
    for chunk in exports.answers_csv(context.session, selection):
        context.out.write(chunk)
    return Built(_name(selection, "csv"), "text/csv; charset=utf-8", _covered(selection))


FILTERS = ("wave", "checklist", "region")
register(Builder("clinic_pdf", READERS, ("clinic_id", "wave", "checklist"), _check_clinic_pdf, _build_clinic_pdf))
register(Builder("xlsx", READERS, FILTERS, _check_export, _build_xlsx))
register(Builder("csv", READERS, FILTERS, _check_export, _build_csv))


# ---------------------------------------------------------------- scores of an approved audit

class AuditNotApprovedYet(Exception):
    """The approval has not committed yet (or was rolled back): huey retries a few times."""


def store_scores_of(session: Session, *, audit_id: int) -> int:
    """Store the approved audit's scores (idempotent: rows stored before are left alone). Raises
    AuditNotApprovedYet."""
    audit = session.get(Audit, audit_id)
    if audit is None or audit.status != "approved":
        raise AuditNotApprovedYet(audit_id)
    return score_store.store_audit_scores(session, audit=audit)


@huey.task(retries=5, retry_delay=2, name="store_audit_scores")
def store_audit_scores(audit_id: int) -> None:
    with write_session() as session:
        store_scores_of(session, audit_id=audit_id)


def schedule_scores(audit_ids: Collection[int]) -> None:
    """Store these approved audits' scores in the background. A queue that is down loses nothing:
    reports score unscored approved audits themselves (score_store.store_scores), so the approval
    goes through."""
    for audit_id in audit_ids:
        try:
            enqueue(store_audit_scores.s(audit_id))
        except QueueUnavailable:
            log.warning("audit %s approved while the queue is down: its scores are stored by the first report",
                        audit_id)
