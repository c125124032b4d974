"""Checklist pages: the list, a version, its history, diffs, YAML download and upload, and the editor
of the reader's own draft (htmx saves each touchpoint or item as you go; the same forms work without
JavaScript and answer 303 back to the block)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import ChecklistReader, QaUser
from app.accounts.models import User
from app.checklists import catalogue, diff, editor, files, preview, scenario_routes, versions
from app.checklists.api import Upload
from app.checklists.models import ChecklistVersion
from app.db import SessionDep
from app.errors import Invalid
from app.fieldwork.deps import PostedForm
from app.i18n import N_
from app.web import paging
from app.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(scenario_routes.router)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: Request, slug: str, anchor: str = "") -> Response:
    url = str(request.url_for("checklist_draft", slug=slug)) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(url, status_code=303)


def _draft_context(session: Session, slug: str, draft: ChecklistVersion) -> dict[str, Any]:
    return {"slug": slug, "draft": draft, "doc": draft.document,
            "problems": editor.placed_problems(draft.document, editor.draft_filename(slug)),
            "item_types": editor.ITEM_TYPES, "channels": editor.CHANNELS, "photo_rules": editor.PHOTO_RULES,
            "comment_rules": editor.COMMENT_RULES, "languages_": editor.LANGUAGES}


def _list_page(request: Request, session: Session, user: User, *, status_code: int = 200,
               upload_problems: list[Any] | None = None, upload_name: str | None = None) -> Response:
    found = catalogue.checklist_rows(session, reader=user, page=paging.page_request(
        request.query_params.get("limit"), request.query_params.get("cursor")))
    return render(request, "checklists/list.html", block="content", status_code=status_code,
                  rows=found.rows, listing=found, upload_problems=upload_problems or [],
                  upload_name=upload_name, can_edit=user.role in ("qa_lead", "admin"))


@router.get("/checklists", name="checklists")
def checklist_list(request: Request, user: ChecklistReader, session: SessionDep) -> Response:
    return _list_page(request, session, user)


@router.post("/checklists/upload", name="upload_checklist")
def upload_checklist(request: Request, user: QaUser, upload: Upload, session: SessionDep) -> Response:
    """A valid YAML file becomes the uploader's draft of its checklist; a file with problems changes
    nothing and comes back with every problem and its line (422)."""
    try:
        draft = editor.draft_from_text(session, upload.text, upload.filename, author=user)
    except files.FilesInvalid as error:
        return _list_page(request, session, user, status_code=422, upload_problems=error.problems,
                          upload_name=upload.filename)
    return _back(request, versions.slug_of(session, draft))


@router.get("/checklists/{slug}", name="checklist_view")
def checklist_view(request: Request, slug: str, user: ChecklistReader, session: SessionDep,
                   version: int | None = None) -> Response:
    stored = versions.get_version(session, slug, version)
    return render(request, "checklists/view.html", block="content", slug=slug, version=stored,
                  doc=stored.document)


@router.get("/checklists/{slug}/versions", name="checklist_versions")
def checklist_versions(request: Request, slug: str, user: ChecklistReader, session: SessionDep) -> Response:
    return render(request, "checklists/versions.html", block="content", slug=slug,
                  rows=catalogue.version_rows(session, slug))


@router.get("/checklists/{slug}/versions/{number:int}.yaml", name="version_yaml")
def version_yaml(slug: str, number: int, user: ChecklistReader, session: SessionDep) -> Response:
    text = files.export_version(session, slug, number)
    return Response(text, media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{slug}-v{number}.yaml"'})


@router.get("/checklists/{slug}/diff", name="checklist_diff")
def checklist_diff(request: Request, slug: str, user: ChecklistReader, session: SessionDep) -> Response:
    start, end = request.query_params.get("from") or None, request.query_params.get("to") or None
    result, start, end = catalogue.compare(session, slug, reader=user, start=start, end=end)
    numbers = [row.version.version for row in catalogue.version_rows(session, slug)]
    return render(request, "checklists/diff.html", block="content", slug=slug, diff=result, start=start, end=end,
                  numbers=numbers, has_draft=editor.find_draft(session, slug, author=user) is not None,
                  describe=diff.describe)


# --- the draft editor ----------------------------------------------------------------------------------

@router.post("/checklists/{slug}/draft/open", name="open_draft")
def open_draft(request: Request, slug: str, user: QaUser, session: SessionDep) -> Response:
    """Open the latest version as the reader's draft, or resume the draft already open."""
    editor.open_draft(session, slug, author=user)
    return _back(request, slug)


@router.get("/checklists/{slug}/draft", name="checklist_draft")
def draft_page(request: Request, slug: str, user: QaUser, session: SessionDep) -> Response:
    draft = editor.get_draft(session, slug, author=user)
    return render(request, "checklists/draft.html", block="editor", **_draft_context(session, slug, draft))


@router.get("/checklists/{slug}/draft.yaml", name="draft_yaml")
def draft_yaml(slug: str, user: QaUser, session: SessionDep) -> Response:
    draft = editor.get_draft(session, slug, author=user)
    return Response(editor.draft_yaml(draft.document), media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{editor.draft_filename(slug)}"'})


@router.post("/checklists/{slug}/draft/settings", name="draft_settings")
def draft_settings(request: Request, slug: str, user: QaUser, form: PostedForm, session: SessionDep) -> Response:
    draft = editor.get_draft(session, slug, author=user)
    editor.save_settings(session, draft, {k: str(v) for k, v in form.items()})
    if not _is_htmx(request):
        return _back(request, slug, "settings")
    return render(request, "checklists/draft.html", block="editor", **_draft_context(session, slug, draft))


@router.post("/checklists/{slug}/draft/tp/{t:int}", name="draft_touchpoint")
def draft_touchpoint(request: Request, slug: str, t: int, user: QaUser, form: PostedForm,
                     session: SessionDep) -> Response:
    """Save a touchpoint's fields as typed; the block comes back with its problems."""
    draft = editor.get_draft(session, slug, author=user)
    editor.save_touchpoint(session, draft, t, {k: str(v) for k, v in form.items()})
    if not _is_htmx(request):
        return _back(request, slug, f"tp-{t}")
    return render(request, "checklists/_touchpoint_saved.html", t=t, tp=draft.document["touchpoints"][t],
                  **_draft_context(session, slug, draft))


@router.post("/checklists/{slug}/draft/tp/{t:int}/items/{i:int}", name="draft_item")
def draft_item(request: Request, slug: str, t: int, i: int, user: QaUser, form: PostedForm,
               session: SessionDep) -> Response:
    """Save an item's fields as typed (add/remove option with the `op` button); the item comes back
    with its problems, and the draft's problem summary is refreshed out of band."""
    draft = editor.get_draft(session, slug, author=user)
    editor.save_item(session, draft, t, i, {k: str(v) for k, v in form.items()}, editor.options_from(form),
                     op=str(form.get("op") or ""))
    if not _is_htmx(request):
        return _back(request, slug, f"item-{t}-{i}")
    return render(request, "checklists/_item_saved.html", t=t, i=i,
                  item=draft.document["touchpoints"][t]["items"][i], **_draft_context(session, slug, draft))


def _position(field: dict[str, str], name: str, default: int) -> int:
    """A touchpoint or item position of the structure form. Raises Invalid unless a small whole number."""
    raw = field.get(name) or ""
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise Invalid(N_("{field} must be a position in the checklist (a whole number)."), field=name)
    return int(raw)


@router.post("/checklists/{slug}/draft/structure", name="draft_structure")
def draft_structure(request: Request, slug: str, user: QaUser, form: PostedForm, session: SessionDep) -> Response:
    """Add, move, remove and rename touchpoints and items; the whole editor comes back."""
    draft = editor.get_draft(session, slug, author=user)
    field = {k: str(v) for k, v in form.items()}
    action, key = field.get("action", ""), field.get("expected_key", "")
    t, i = _position(field, "t", 0), _position(field, "i", 0)
    if action == "add_touchpoint":
        editor.add_touchpoint(session, draft, key=field.get("key", ""), title=field.get("title", ""))
    elif action == "add_item":
        editor.add_item(session, draft, t, key=field.get("key", ""), text=field.get("text", ""),
                        kind=field.get("type", "yes_no"))
    elif action in ("tp_up", "tp_down"):
        editor.move_touchpoint(session, draft, t, step=-1 if action == "tp_up" else 1, expected_key=key)
    elif action == "tp_remove":
        editor.remove_touchpoint(session, draft, t, expected_key=key)
    elif action in ("item_up", "item_down"):
        editor.move_item(session, draft, t, i, expected_key=key, step=-1 if action == "item_up" else 1)
    elif action == "item_move":
        editor.move_item(session, draft, t, i, expected_key=key, to_touchpoint=_position(field, "to", t))
    elif action == "item_remove":
        editor.remove_item(session, draft, t, i, expected_key=key)
    elif action == "rename":
        editor.rename_item(session, draft, t, i, expected_key=key, new_key=field.get("new_key", ""))
    if not _is_htmx(request):
        return _back(request, slug)
    return render(request, "checklists/draft.html", block="editor", **_draft_context(session, slug, draft))


@router.get("/checklists/{slug}/draft/preview", name="draft_preview")
def draft_preview(request: Request, slug: str, user: QaUser, session: SessionDep,
                  touchpoint: str | None = None) -> Response:
    """The draft as the shopper's phone form, read-only: nothing here saves."""
    draft = editor.get_draft(session, slug, author=user)
    screen = preview.preview_screen(draft.document, touchpoint)
    return render(request, "checklists/preview.html", block="content", slug=slug, screen=screen,
                  audit=screen.audit, problems=editor.problems_of(draft.document, editor.draft_filename(slug)))


@router.post("/checklists/{slug}/draft/publish", name="publish_draft")
def publish_draft(request: Request, slug: str, user: QaUser, session: SessionDep) -> Response:
    """Publish the draft as the next version; refused (422, the problems listed) while any remains."""
    draft = editor.get_draft(session, slug, author=user)
    try:
        result = editor.publish_draft(session, draft, actor=user)
    except editor.DraftHasProblems:
        context = _draft_context(session, slug, draft)
        return render(request, "checklists/draft.html", block="editor", status_code=422, refused=True, **context)
    url = (f"{request.url_for('checklist_versions', slug=slug)}"
           f"?published={result.version.version}&created={int(result.created)}")
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/checklists/{slug}/draft/discard", name="discard_draft")
def discard_draft(request: Request, slug: str, user: QaUser, session: SessionDep) -> Response:
    editor.discard_draft(session, editor.get_draft(session, slug, author=user))
    return RedirectResponse(str(request.url_for("checklists")), status_code=303)
