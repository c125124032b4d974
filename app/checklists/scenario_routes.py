"""Scenario pages for QA leads: the list, a new scenario, editing one. Texts in Russian and English
side by side; the form is validated by the scenario file validator (the same words as the CLI)
and stored through `save_scenario`."""

from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.accounts.deps import QaUser
from app.checklists.models import Checklist
from app.checklists.scenarios import TEXT_FIELDS, save_scenario, validate_scenario
from app.db import SessionDep
from app.errors import NotFound
from app.fieldwork.deps import PostedForm
from app.fieldwork.models import Scenario
from app.i18n import N_, gettext
from app.web.paging import PageParams, SortKey, fetch_page
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _checklists(session: Session) -> dict[int, str]:
    return {c.id or 0: c.slug for c in session.exec(select(Checklist).order_by(col(Checklist.slug))).all()}


def _scenario(session: Session, slug: str) -> Scenario:
    scenario = session.exec(select(Scenario).where(Scenario.slug == slug)).first()
    if scenario is None:
        raise NotFound()
    return scenario


def _values(scenario: Scenario | None, checklists: dict[int, str]) -> dict[str, Any]:
    if scenario is None:
        return {"slug": "", "checklist": ""}
    values: dict[str, Any] = {"slug": scenario.slug, "checklist": checklists.get(scenario.checklist_id or 0, "")}
    for name in TEXT_FIELDS:
        for lang in ("ru", "en"):
            values[f"{name}_{lang}"] = (getattr(scenario, name) or {}).get(lang, "")
    return values


def _form(request: Request, session: Session, *, values: dict[str, Any], editing: bool,
          problems: dict[str, list[str]] | None = None, status_code: int = 200) -> Response:
    return render(request, "scenarios/form.html", block="content", status_code=status_code, values=values,
                  editing=editing, problems=problems or {}, checklists=list(_checklists(session).values()),
                  text_fields=TEXT_FIELDS)


@router.get("/scenarios", name="scenarios")
def scenario_list(request: Request, user: QaUser, session: SessionDep, page: PageParams) -> Response:
    found = fetch_page(session, select(Scenario), order=(SortKey(col(Scenario.slug)), SortKey(col(Scenario.id))),
                       page=page)
    ids = {scenario.checklist_id for scenario in found.rows}  # name only the page's checklists
    checklists = dict(session.exec(select(Checklist.id, Checklist.slug).where(col(Checklist.id).in_(ids))).all())
    return render(request, "scenarios/list.html", block="content", scenarios=found.rows, listing=found,
                  checklists=checklists)


@router.get("/scenarios/new", name="new_scenario")
def new_scenario(request: Request, user: QaUser, session: SessionDep) -> Response:
    return _form(request, session, values=_values(None, {}), editing=False)


@router.get("/scenarios/{slug}/edit", name="edit_scenario")
def edit_scenario(request: Request, slug: str, user: QaUser, session: SessionDep) -> Response:
    return _form(request, session, values=_values(_scenario(session, slug), _checklists(session)), editing=True)


def _save(request: Request, session: Session, form: dict[str, str], *, editing: bool) -> Response:
    """Validate the form as a scenario file would be; every problem shown by its field (422)."""
    document: dict[str, Any] = {"slug": form.get("slug", "").strip(), "checklist": form.get("checklist", "")}
    for name in TEXT_FIELDS:
        document[name] = {lang: form.get(f"{name}_{lang}", "").strip() for lang in ("ru", "en")}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    doc, found = validate_scenario(text, "scenario.yaml")
    problems: dict[str, list[str]] = {}
    for problem in found:
        problems.setdefault(problem.key, []).append(problem.message)
    if doc is not None and doc.checklist not in _checklists(session).values():
        missing = gettext(N_("there is no checklist '{slug}'")).format(slug=doc.checklist)
        problems.setdefault("checklist", []).append(missing)
    if doc is None or problems:
        return _form(request, session, values=form, editing=editing, problems=problems, status_code=422)
    save_scenario(session, doc)
    return RedirectResponse(str(request.url_for("scenarios")), status_code=303)


@router.post("/scenarios/new", name="create_scenario")
def create_scenario(request: Request, user: QaUser, form: PostedForm, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in form.items()}
    if session.exec(select(Scenario).where(Scenario.slug == values.get("slug", "").strip())).first():
        return _form(request, session, values=values, editing=False, status_code=409,
                     problems={"slug": [gettext(N_("a scenario with this slug already exists"))]})
    return _save(request, session, values, editing=False)


@router.post("/scenarios/{slug}/edit", name="update_scenario")
def update_scenario(request: Request, slug: str, user: QaUser, form: PostedForm, session: SessionDep) -> Response:
    _scenario(session, slug)
    values = {k: str(v) for k, v in form.items()} | {"slug": slug}
    return _save(request, session, values, editing=True)
