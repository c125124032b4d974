"""Review pages: the queue, the review screen with its decision form, shopper quality."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import QaUser
from app.db import SessionDep
from app.errors import DomainError
from app.i18n import N_, gettext
from app.money.review_panel import money_panel
from app.review import quality, queue, screen, service
from app.review.deps import AuditById
from app.validity import panel as validity_panel
from app.web.paging import PageParams
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# After a redirect the page says what was done; only these known messages, never text from the URL.
DONE_MESSAGES = {
    "approve": N_("Audit {audit} approved: it now counts in reports."),
    "return": N_("Audit {audit} returned to the shopper with your comments."),
    "reject": N_("Audit {audit} rejected: it will never count."),
    "deactivated": N_("The shopper was deactivated and logged out."),
    "activated": N_("The shopper can log in again."),
}


def _flashes(done: str | None, audit: str | None) -> list[tuple[str, str]]:
    if done not in DONE_MESSAGES:
        return []
    return [("ok", gettext(DONE_MESSAGES[done]).format(audit=audit if (audit or "").isdigit() else ""))]


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


@router.get("/review", name="review_queue")
def review_queue(request: Request, user: QaUser, session: SessionDep, page: PageParams, wave: str | None = None,
                 clinic: str | None = None, checklist: str | None = None, shopper: str | None = None,
                 done: str | None = None, audit: str | None = None, validity: str | None = None) -> Response:
    filters = queue.QueueFilters(wave_id=_id_or_none(wave), clinic_id=_id_or_none(clinic),
                                 checklist_id=_id_or_none(checklist), shopper_id=_id_or_none(shopper),
                                 validity=validity or None)
    request.state.flashes = _flashes(done, audit)
    return render(request, "review/queue.html", fragment="review/_queue_table.html",
                  listing=queue.review_queue(session, filters, page), total=queue.queue_size(session, filters),
                  filters=filters,
                  choices=queue.filter_choices(request, session, filters))


def _screen_page(request: Request, session: SessionDep, audit: AuditById, *, status_code: int = 200,
                 error: str | None = None, detail: object = None, reason: str = "",
                 drafts: dict[str, str] | None = None) -> Response:
    return render(request, "review/audit.html", block="screen", status_code=status_code,
                  screen=screen.review_screen(session, audit), error=error, error_detail=detail,
                  validity=validity_panel.panel_of(session, audit),
                  reason=reason, drafts=drafts or {}, money=money_panel(session, audit))


@router.get("/review/audits/{audit_id}", name="review_audit_page")
def review_audit_page(request: Request, user: QaUser, audit: AuditById, session: SessionDep) -> Response:
    return _screen_page(request, session, audit)


@router.post("/review/audits/{audit_id}", name="review_decide")
def review_decide(request: Request, user: QaUser, audit: AuditById, session: SessionDep,
                  decision: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
                  reason_code: Annotated[str, Form()] = "",
                  comment_item: Annotated[list[str] | None, Form()] = None,
                  comment: Annotated[list[str] | None, Form()] = None) -> Response:
    # Each item's comment box comes as a pair: its key (hidden) and its text, in form order.
    drafts = {key: text for key, text in zip(comment_item or [], comment or [], strict=False) if text.strip()}
    try:
        service.review_audit(session, audit=audit, reviewer=user, decision=decision, comments=drafts,
                             reason=reason, reason_code=reason_code if decision == "reject" else None)
    except DomainError as error:
        return _screen_page(request, session, audit, status_code=error.status_code, error=error.text(),
                            detail=error.detail, reason=reason, drafts=drafts)
    return RedirectResponse(f"{request.url_for('review_queue').path}?done={decision}&audit={audit.id}",
                            status_code=303)


@router.get("/review/shoppers", name="shopper_quality")
def shopper_quality(request: Request, user: QaUser, session: SessionDep, page: PageParams,
                    done: str | None = None) -> Response:
    request.state.flashes = _flashes(done, None)
    found = quality.shopper_quality(session, page)
    return render(request, "review/shoppers.html", block="table", rows=found.rows, listing=found)


@router.post("/review/shoppers/{shopper_id}/active", name="set_shopper_active")
def set_shopper_active(request: Request, user: QaUser, session: SessionDep, shopper_id: int,
                       active: Annotated[str, Form()]) -> Response:
    is_active = active == "1"
    quality.set_shopper_active(session, shopper_id=shopper_id, active=is_active, actor=user)
    done = "activated" if is_active else "deactivated"
    return RedirectResponse(f"{request.url_for('shopper_quality').path}?done={done}", status_code=303)
