"""The form pages: one touchpoint per screen, autosave of one item (htmx), the whole touchpoint
without JavaScript ("save and next"), and removing a file."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from app.accounts.deps import ShopperUser
from app.accounts.models import User
from app.checklists import versions as checklists
from app.checklists.content import content_of
from app.checklists.models import Item
from app.db import SessionDep
from app.errors import DomainError, Invalid
from app.fieldwork import answers, evidence, screens
from app.fieldwork.answers import AnswerInput
from app.fieldwork.deps import OwnAudit, OwnEditableAudit, PostedForm
from app.fieldwork.models import Audit
from app.fieldwork.offline_routes import acknowledge
from app.fieldwork.uploads import LimitedBodyRoute
from app.i18n import N_, gettext
from app.web.templating import render
from app.web.urls import url_for

router = APIRouter(include_in_schema=False, route_class=LimitedBodyRoute)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _number(text: str | None) -> int | None:
    """The change's running number; anything but digits becomes 0, which record_answers refuses."""
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else 0


def answer_from_form(form: FormData, item: Item, current_comment: str | None) -> AnswerInput:
    """The item's answer from its fields v.KEY, na.KEY, c.KEY (plain names value/na/comment too).
    A form without the comment field keeps the stored comment."""
    key = item.key
    value = _text(form, f"v.{key}") if f"v.{key}" in form else _text(form, "value")
    na = (_text(form, f"na.{key}") or _text(form, "na") or "") in ("1", "on", "true", "yes")
    if f"c.{key}" in form or "comment" in form:
        comment = _text(form, f"c.{key}") if f"c.{key}" in form else _text(form, "comment")
    else:
        comment = current_comment
    return AnswerInput(key, value, na, comment, _text(form, "client_change_id"),
                       _moment(_text(form, "client_changed_at")), _text(form, "client_device_id") or None,
                       _number(_text(form, "client_seq")))


def uploads_for(form: FormData, item: Item) -> list[UploadFile]:
    """The files chosen for the item (photo f.KEY, recording a.KEY); empty file inputs are skipped."""
    files = []
    for name in (f"f.{item.key}", f"a.{item.key}"):
        for upload in form.getlist(name):
            if isinstance(upload, UploadFile) and (upload.filename or upload.size):
                files.append(upload)
    return files


@dataclass(frozen=True)
class ItemSave:
    error: str | None = None  # why the input was refused, or why the change was not applied
    posted: tuple[str, bool, str] | None = None  # what the shopper sent, shown where it was refused
    conflict: bool = False  # the stored answer is newer: shown as it is, the change stays on the phone


def save_item_from_form(session: Session, *, audit: Audit, item: Item, form: FormData,
                        actor: User) -> ItemSave:
    """Save one item's answer and files."""
    stored = answers.answer_of(session, audit=audit, item=item)
    entry = answer_from_form(form, item, stored.comment if stored else None)
    try:
        (saved,) = answers.record_answers(session, audit=audit, answers=[entry])
    except Invalid as bad:
        message = bad.detail[0]["message"] if bad.detail else bad.text()
        return ItemSave(message, (entry.value or "", entry.na, entry.comment or ""))
    if not saved.applied:
        return ItemSave(gettext(N_(
            "Not saved: a newer answer to this question was saved meanwhile (shown here). Your change is "
            "kept on this phone under \u201cNeeds your attention\u201d: answer again to replace the saved "
            "answer, or discard it.")), conflict=True)
    for upload in uploads_for(form, item):
        try:
            evidence.add_evidence(session, audit=audit, upload=upload.file, item_key=item.key, actor=actor,
                                  client_upload_id=_text(form, "client_upload_id"))
        except DomainError as bad:  # not a picture, too many pixels, too large
            return ItemSave(bad.text())
    return ItemSave()


@router.get("/visits/{audit_id}/t/{touchpoint_key}", name="visit_touchpoint")
def touchpoint_page(request: Request, audit: OwnAudit, touchpoint_key: str, session: SessionDep) -> Response:
    return render(request, "fieldwork/touchpoint.html", screen=screens.screen(session, audit, touchpoint_key))


@router.post("/visits/{audit_id}/t/{touchpoint_key}", name="save_touchpoint")
def save_touchpoint(request: Request, audit: OwnEditableAudit, touchpoint_key: str, form: PostedForm,
                    session: SessionDep, user: ShopperUser) -> Response:
    """Without JavaScript: save every answer of the screen, then go on (303). Valid answers are kept
    even when another one is refused; the screen comes back with 422 and the errors on their items."""
    screen = screens.screen(session, audit, touchpoint_key)
    errors: dict[str, str] = {}
    posted: dict[str, tuple[str, bool, str]] = {}
    for view in screen.items:
        done = save_item_from_form(session, audit=audit, item=view.item, form=form, actor=user)
        if done.error:
            errors[view.key] = done.error
            if done.posted:
                posted[view.key] = done.posted
    if errors:
        screen = screens.screen(session, audit, touchpoint_key, errors=errors, posted=posted)
        return render(request, "fieldwork/touchpoint.html", screen=screen, status_code=422)
    go = _text(form, "go")
    if go == "back":
        target = (url_for(request, "visit_touchpoint", audit_id=audit.id, touchpoint_key=screen.previous.key)
                  if screen.previous else url_for(request, "visit", audit_id=audit.id))
    elif go == "next" and screen.next:
        target = url_for(request, "visit_touchpoint", audit_id=audit.id, touchpoint_key=screen.next.key)
    else:
        target = url_for(request, "visit_overview", audit_id=audit.id)
    return RedirectResponse(str(target), status_code=303)


@router.post("/visits/{audit_id}/items/{item_key}", name="save_item")
def save_item(request: Request, audit: OwnEditableAudit, item_key: str, form: PostedForm, session: SessionDep,
              user: ShopperUser) -> Response:
    """Autosave one item (htmx or the phone's outbox): the item's fragment, "saved HH:MM", or 422 with
    the error on it, or 409 with the newer stored answer when the change was not applied;
    X-Applied-Change / X-Refused-Change / X-Conflicting-Change name the client change it answers for.
    Without JavaScript the same post answers 303 back to the item on its screen."""
    item = checklists.item_for(session, audit.checklist_version_id, item_key)
    done = save_item_from_form(session, audit=audit, item=item, form=form, actor=user)
    if request.headers.get("HX-Request") != "true" and not done.error:
        return RedirectResponse(_item_url(request, session, audit, item), status_code=303)
    rows = screens.AuditRows.of(session, audit)  # read once for the item and the journey's progress
    view = screens.item_view(session, audit, item, error=done.error, posted=done.posted, rows=rows)
    status_code = 409 if done.conflict else 422 if done.error else 200
    response = _item_response(request, session, audit, view, status_code=status_code, rows=rows)
    return acknowledge(response, _text(form, "client_change_id"), status=audit.status,
                       outcome="conflict" if done.conflict else "refused" if done.error else "applied")


def _item_url(request: Request, session: Session, audit: Audit, item: Item) -> str:
    touchpoint = content_of(session, audit.checklist_version_id).touchpoint(item.touchpoint_id)
    url = url_for(request, "visit_touchpoint", audit_id=audit.id, touchpoint_key=touchpoint.key)
    return f"{url}#item-{item.key}"


def _item_response(request: Request, session: Session, audit: Audit, view: screens.ItemView,
                   status_code: int = 200, rows: screens.AuditRows | None = None) -> Response:
    touchpoint = content_of(session, audit.checklist_version_id).touchpoint(view.item.touchpoint_id)
    if request.headers.get("HX-Request") == "true":
        return render(request, "fieldwork/_item_saved.html", view=view, audit=audit, status_code=status_code,
                      progress=screens.progress(session, audit, rows), current=touchpoint.key)
    screen = screens.screen(session, audit, touchpoint.key, errors={view.key: view.error or ""},
                            posted={view.key: (view.value, view.na, view.comment)})
    return render(request, "fieldwork/touchpoint.html", screen=screen, status_code=status_code)


@router.post("/visits/{audit_id}/evidence/{evidence_id}/delete", name="remove_evidence")
def remove_evidence(request: Request, audit: OwnEditableAudit, evidence_id: int, session: SessionDep,
                    user: ShopperUser) -> Response:
    file = evidence.get_evidence(session, audit=audit, evidence_id=evidence_id)
    item = session.get(Item, file.item_id) if file.item_id else None
    evidence.remove_evidence(session, audit=audit, evidence=file, actor=user)
    if item is None:
        return RedirectResponse(str(url_for(request, "visit", audit_id=audit.id)), status_code=303)
    if request.headers.get("HX-Request") == "true":
        return _item_response(request, session, audit, screens.item_view(session, audit, item))
    return RedirectResponse(_item_url(request, session, audit, item), status_code=303)
