"""Money pages: the shopper's receipt for a visit and their earnings; QA's receipt decision at
review; payout batches (make, export, pay, correct); the programme's cost for directors."""

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.accounts.deps import CurrentUser, ShopperUser
from app.db import SessionDep
from app.db_types import utcnow
from app.errors import DomainError, NotFound
from app.fieldwork import assignments
from app.fieldwork.audits import is_editable
from app.fieldwork.deps import OwnAudit, PostedForm
from app.fieldwork.uploads import LimitedBodyRoute
from app.i18n import N_, gettext
from app.money import costs, exports, ledger, payouts, receipts, review_panel, terms
from app.money.amounts import currency
from app.money.deps import CostReader, PayoutUser
from app.money.models import LedgerEntry
from app.review import screen
from app.review.deps import AuditById
from app.storage import MissingFile
from app.storage.responses import stored_file
from app.web import choices, paging
from app.web.ids import row_id
from app.web.templating import render

router = APIRouter(include_in_schema=False, route_class=LimitedBodyRoute)

DONE = {
    "receipt": N_("The receipt was saved."),
    "created": N_("The payout batch was made."),
    "exported": N_("The batch was exported for accounting: it can no longer change."),
    "paid": N_("The batch was marked paid."),
    "dropped": N_("The entry waits for the next batch."),
    "reversed": N_("The entry was reversed; the next batch settles it."),
}


def _flash(request: Request, done: str | None) -> None:
    request.state.flashes = [("ok", gettext(DONE[done]))] if done in DONE else []


def _receipt_page(request: Request, session: SessionDep, audit: OwnAudit, *, status_code: int = 200,
                  error: str | None = None, amount: str = "") -> Response:
    visit = assignments.visit_of(session, audit)
    receipt = receipts.receipt_of(session, audit)
    return render(request, "money/receipt.html", status_code=status_code, visit=visit, audit=audit,
                  receipt=receipt, terms=terms.terms_of(session, visit.assignment),
                  entry=ledger.visit_entry(session, audit.id or 0), currency=currency(), error=error,
                  amount=amount or (str(receipt.amount_paid) if receipt else ""), editable=is_editable(audit))


@router.get("/visits/{audit_id}/receipt", name="visit_receipt")
def visit_receipt(request: Request, audit: OwnAudit, session: SessionDep, done: str | None = None) -> Response:
    _flash(request, done)
    return _receipt_page(request, session, audit)


@router.post("/visits/{audit_id}/receipt", name="attach_receipt")
def attach_receipt(request: Request, audit: OwnAudit, form: PostedForm, session: SessionDep,
                   user: ShopperUser) -> Response:
    upload = form.get("file")
    file = upload.file if isinstance(upload, UploadFile) and (upload.filename or upload.size) else None
    amount = form.get("amount_paid")
    amount_text = amount if isinstance(amount, str) else ""
    try:
        receipts.attach_receipt(session, audit=audit, amount_paid=amount_text, upload=file, actor=user)
    except DomainError as error:
        if error.status_code not in (409, 413, 422):
            raise
        return _receipt_page(request, session, audit, status_code=error.status_code, error=error.text(),
                             amount=amount_text)
    url = request.url_for("visit_receipt", audit_id=audit.id).path
    return RedirectResponse(f"{url}?done=receipt", status_code=303)


@router.get("/receipts/{receipt_id}", name="receipt_file")
def receipt_file(receipt_id: int, user: CurrentUser, session: SessionDep) -> Response:
    receipt = receipts.viewable_receipt(session, user=user, receipt_id=receipt_id)
    pdf = receipt.content_type == "application/pdf"
    # A PDF is the sender's bytes: downloaded, never rendered in the app's origin.
    headers = {"Content-Security-Policy": "sandbox; default-src 'none'"} if pdf else {}
    name = f"receipt-{receipt.id}.{'pdf' if pdf else 'jpg'}"
    try:
        return stored_file(receipt.stored_name, content_type=receipt.content_type, filename=name,
                           disposition="attachment" if pdf else "inline", headers=headers)
    except MissingFile as missing:
        raise receipts.ReceiptNotFound() from missing


@router.post("/review/audits/{audit_id}/receipt", name="review_receipt")
def review_receipt(request: Request, user: PayoutUser, audit: AuditById, session: SessionDep,
                   receipt_decision: Annotated[str, Form()] = "",
                   receipt_amount: Annotated[str, Form()] = "",
                   receipt_reason: Annotated[str, Form()] = "",
                   receipt_override: Annotated[str, Form()] = "") -> Response:
    """The receipt part of the review form (its own button): accept, adjust or refuse."""
    try:
        receipts.decide_receipt(session, audit=audit, reviewer=user, decision=receipt_decision,
                                amount=receipt_amount or None, reason=receipt_reason,
                                override_limit=receipt_override in ("1", "on"))
    except DomainError as error:
        if error.status_code not in (404, 409, 422):
            raise
        return render(request, "review/audit.html", status_code=error.status_code,
                      screen=screen.review_screen(session, audit), error=error.text(), error_detail=None,
                      reason="", drafts={}, money=review_panel.money_panel(session, audit))
    url = request.url_for("review_audit_page", audit_id=audit.id).path
    return RedirectResponse(f"{url}#receipt", status_code=303)


@router.get("/earnings", name="earnings")
def earnings_page(request: Request, user: ShopperUser, session: SessionDep, page: paging.PageParams) -> Response:
    earnings = ledger.earnings_page(session, shopper=user, page=page)
    return render(request, "money/earnings.html", block="earnings", earnings=earnings, listing=earnings.listing,
                  currency=currency())


def _payouts_page(request: Request, session: SessionDep, *, status_code: int = 200, error: str | None = None,
                  up_to: date | None = None) -> Response:
    day = up_to or utcnow().date()
    found = payouts.payouts_page(session, page=paging.page_request(request.query_params.get("limit"),
                                                                   request.query_params.get("cursor")))
    return render(request, "money/payouts.html", status_code=status_code, payouts=found.rows, listing=found,
                  payable=payouts.payable(session, up_to=day), up_to=day, error=error, currency=currency())


@router.get("/payouts", name="payouts")
def payouts_page(request: Request, user: PayoutUser, session: SessionDep, up_to: date | None = None) -> Response:
    return _payouts_page(request, session, up_to=up_to)


@router.post("/payouts", name="payout_create")
def payout_create(request: Request, user: PayoutUser, session: SessionDep,
                  up_to: Annotated[date, Form()]) -> Response:
    try:
        payout = payouts.create_payout(session, up_to=up_to, actor=user)
    except DomainError as error:
        return _payouts_page(request, session, status_code=error.status_code, error=error.text(), up_to=up_to)
    return RedirectResponse(f"{request.url_for('payout', payout_id=payout.id).path}?done=created", status_code=303)


def _payout_page(request: Request, session: SessionDep, payout_id: int, *, status_code: int = 200,
                 error: str | None = None, page: paging.PageRequest | None = None) -> Response:
    """The batch with one page of its entries; without `page` (a refused action) the first, its links
    leading to the batch's page, not to the action's URL."""
    payout = payouts.get_payout(session, payout_id)
    found = exports.entries_page(session, payout, page=page or paging.PageRequest())
    totals = exports.shopper_totals_of(session, payout, [r.entry.shopper_id for r in found.rows])
    return render(request, "money/payout.html", block="entries", status_code=status_code, payout=payout,
                  rows=found.rows, listing=found, totals=totals, error=error,
                  reversed_ids=ledger.reversed_ids(session, [r.entry.id or 0 for r in found.rows]),
                  pager_path=None if page else request.url_for("payout", payout_id=payout_id).path)


@router.get("/payouts/{payout_id}", name="payout")
def payout_page(request: Request, user: PayoutUser, session: SessionDep, payout_id: int, page: paging.PageParams,
                done: str | None = None) -> Response:
    _flash(request, done)
    return _payout_page(request, session, payout_id, page=page)


def _payout_action(request: Request, session: SessionDep, payout_id: int, done: str,
                   action: Callable[[], object]) -> Response:
    try:
        action()
    except DomainError as error:
        if error.status_code not in (404, 409, 422):
            raise
        return _payout_page(request, session, payout_id, status_code=error.status_code, error=error.text())
    return RedirectResponse(f"{request.url_for('payout', payout_id=payout_id).path}?done={done}", status_code=303)


@router.post("/payouts/{payout_id}/export", name="payout_export")
def payout_export(request: Request, user: PayoutUser, session: SessionDep, payout_id: int) -> Response:
    payout = payouts.get_payout(session, payout_id)
    return _payout_action(request, session, payout_id, "exported",
                          lambda: payouts.export_payout(session, payout=payout, actor=user))


@router.post("/payouts/{payout_id}/paid", name="payout_paid")
def payout_paid(request: Request, user: PayoutUser, session: SessionDep, payout_id: int) -> Response:
    payout = payouts.get_payout(session, payout_id)
    return _payout_action(request, session, payout_id, "paid",
                          lambda: payouts.mark_paid(session, payout=payout, actor=user))


@router.post("/payouts/{payout_id}/entries/{entry_id}/drop", name="payout_drop")
def payout_drop(request: Request, user: PayoutUser, session: SessionDep, payout_id: int, entry_id: int) -> Response:
    payout = payouts.get_payout(session, payout_id)
    return _payout_action(request, session, payout_id, "dropped",
                          lambda: payouts.drop_entry(session, payout=payout, entry_id=entry_id, actor=user))


@router.post("/payouts/{payout_id}/entries/{entry_id}/reverse", name="payout_reverse")
def payout_reverse(request: Request, user: PayoutUser, session: SessionDep, payout_id: int, entry_id: int,
                   reason: Annotated[str, Form()] = "", fee: Annotated[str, Form()] = "",
                   reimbursement: Annotated[str, Form()] = "") -> Response:
    entry = session.get(LedgerEntry, entry_id)
    if entry is None or entry.payout_id != payout_id:
        raise NotFound()
    return _payout_action(request, session, payout_id, "reversed", lambda: payouts.reverse_entry(
        session, entry=entry, reason=reason, actor=user, fee=fee or None, reimbursement=reimbursement or None))


@router.get("/payouts/{payout_id}/payout.{kind}", name="payout_download")
def payout_download(user: PayoutUser, session: SessionDep, payout_id: int, kind: str) -> Response:
    """The exported batch as frozen (409 before export: accounting only gets a batch that cannot change)."""
    payout = payouts.get_payout(session, payout_id)
    if kind not in ("csv", "xlsx"):
        raise NotFound()
    if payout.status == "open":
        raise payouts.NotExported(N_("Export the batch first: only a frozen batch goes to accounting."))
    if kind == "csv":
        body, media_type = exports.payout_csv(session, payout), "text/csv; charset=utf-8"
    else:
        body = exports.payout_xlsx(session, payout)
        media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="payout-{payout.id}.{kind}"'})


@router.get("/costs", name="programme_cost")
def programme_cost(request: Request, user: CostReader, session: SessionDep, page: paging.PageParams,
                   wave: str | None = None) -> Response:
    """One wave's cost (the newest with owed money unless one is chosen), its clinics a page at a time."""
    wave_id = row_id(wave)
    if wave and wave_id is None:
        raise costs.BadWave()
    cost = costs.wave_cost(session, user=user, wave_id=wave_id, page=page)
    return render(request, "money/costs.html", block="costs", cost=cost, listing=cost.clinics,
                  currency=currency(), waves=choices.for_field(request, session, "costed-waves", "wave",
                                                               cost.wave.id if cost.wave else None))
