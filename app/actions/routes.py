"""Action plan pages: boards (network and clinic), the create form from a gap or as an idea, one
action with its history and moves, "what we improved", and the clinic's journey map."""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import require
from app.accounts.models import Role, User
from app.actions import boards, journey, service, stages
from app.actions.models import ActionStatus
from app.clinics import time_zones
from app.clinics.time_zones import Now
from app.db import SessionDep
from app.errors import Invalid
from app.i18n import N_, localized
from app.reports import charts, drivers, pdf
from app.web.labels import ACTION_STATUS
from app.web.paging import PageParams, PageRequest
from app.web.templating import render

router = APIRouter(include_in_schema=False)
ActionUser = Annotated[User, Depends(require(*service.ACTING_ROLES))]
StageEditor = Annotated[User, Depends(require(*stages.STAGE_EDITORS))]
Text = Annotated[str | None, Query()]
STATUS_LABELS = ACTION_STATUS


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isascii() and value.strip().isdigit() else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        raise Invalid(N_("{value} is not a date (use YYYY-MM-DD)."), value=value) from None


def _board_page(request: Request, session: SessionDep, user: User, clinic_id: int | None, owner: str | None,
                touchpoint: str | None, overdue: str | None, now: datetime, status: str | None = None,
                page: PageRequest | None = None) -> HTMLResponse:
    """The board; with `status`, that one column paged on (its "show more" link)."""
    filters = boards.BoardFilter(clinic_id=clinic_id, owner_id=_int(owner), touchpoint=touchpoint or None,
                                 overdue=bool(overdue), status=status if status in boards.COLUMNS else None)
    board = boards.build_board(session, user=user, filters=filters, page=page, now=now)
    return render(request, "actions/board.html", fragment="actions/_board.html", board=board,
                  labels=STATUS_LABELS, filters={"owner": owner or "", "touchpoint": touchpoint or "",
                                                 "overdue": bool(overdue)})


@router.get("/actions", name="action_board", response_class=HTMLResponse)
def network_board(request: Request, user: ActionUser, session: SessionDep, page: PageParams, now: Now,
                  owner: Text = None, touchpoint: Text = None, overdue: Text = None,
                  status: Text = None) -> HTMLResponse:
    """The network board; a manager's is their clinic's board (their home)."""
    clinic_id = user.clinic_id if user.role == Role.manager else None
    if user.role == Role.manager and clinic_id is None:
        raise service.ClinicNotFound(clinic="-")
    return _board_page(request, session, user, clinic_id, owner, touchpoint, overdue, now, status, page)


@router.get("/actions/clinics/{clinic_id}", name="clinic_action_board", response_class=HTMLResponse)
def clinic_board(request: Request, clinic_id: int, user: ActionUser, session: SessionDep, page: PageParams,
                 now: Now, owner: Text = None, touchpoint: Text = None, overdue: Text = None,
                 status: Text = None) -> HTMLResponse:
    return _board_page(request, session, user, clinic_id, owner, touchpoint, overdue, now, status, page)


@router.get("/actions/improved", name="actions_improved", response_class=HTMLResponse)
def improved_page(request: Request, user: ActionUser, session: SessionDep, page: PageParams, from_: Annotated[
        str | None, Query(alias="from")] = None, to: Text = None) -> HTMLResponse:
    result = boards.improved(session, user=user, date_from=_date(from_), date_to=_date(to), page=page)
    return render(request, "actions/improved.html", block="improved", result=result, listing=result["listing"],
                  filters={"from": from_ or "", "to": to or ""})


def _form_context(session: SessionDep, user: User, clinic_id: int, **values: object) -> dict[str, Any]:
    clinic = service.acting_clinic(session, user=user, clinic_id=clinic_id)
    version = service.clinic_checklist(session, None, clinic_id=clinic_id)
    titles = service.touchpoint_titles(session, version.checklist_id)
    return {"clinic": clinic, "owners": service.eligible_owners(session, clinic),
            "touchpoints": {k: localized(t) or k for k, t in titles.items()},
            "item_texts": {k: localized(t) or k for k, t in service.item_texts(session, version.checklist_id).items()},
            "values": values}


@router.get("/actions/new", name="action_new", response_class=HTMLResponse)
def new_action(request: Request, user: ActionUser, session: SessionDep, clinic_id: int,
               item: Text = None, touchpoint: Text = None, kind: Text = None) -> HTMLResponse:
    default_owner = user.id if user.role == Role.manager else None
    context = _form_context(session, user, clinic_id, item=item or "", touchpoint=touchpoint or "",
                            kind=kind or "gap", owner_id=default_owner, title="", due_on="")
    try:
        service.refuse_competitor(context["clinic"])
    except Invalid as error:  # say so before anyone fills the form in
        return render(request, "actions/new.html", **context, error=error.text(), status_code=422)
    return render(request, "actions/new.html", **context, error=None)


@router.post("/actions", name="action_create")
def create_action(request: Request, user: ActionUser, session: SessionDep, clinic_id: Annotated[int, Form()],
                  title: Annotated[str, Form()] = "", owner_id: Annotated[str, Form()] = "",
                  due_on: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "gap",
                  touchpoint: Annotated[str, Form()] = "", items: Annotated[str, Form()] = "",
                  description: Annotated[str, Form()] = "") -> Response:
    keys = tuple(k for k in items.replace(",", " ").split() if k)
    try:
        action = service.create_action(session, user=user, data=service.ActionInput(
            clinic_id=clinic_id, title=title, owner_id=_int(owner_id), due_on=_date(due_on), kind=kind,
            touchpoint=touchpoint or None, item_keys=keys, description=description))
    except Invalid as error:
        context = _form_context(session, user, clinic_id, item=" ".join(keys), touchpoint=touchpoint, kind=kind,
                                owner_id=_int(owner_id), title=title, due_on=due_on)
        return render(request, "actions/new.html", **context, error=error.text(), status_code=422)
    return RedirectResponse(request.url_for("action_detail", action_id=action.id), status_code=303)


def _detail(request: Request, session: SessionDep, user: User, action_id: int, *, now: datetime,
            error: str | None = None, status_code: int = 200, page: PageRequest | None = None) -> HTMLResponse:
    """The action with the newest page of its history (`page`: another one). Its "older entries" link
    asks htmx for the history alone (HX-Target action-history); a move or an edit gets the detail."""
    action = service.action_in_scope(session, user=user, action_id=action_id)
    history = service.history_page(session, action, page=page or PageRequest())
    if request.headers.get("HX-Target") == "action-history":
        return render(request, "actions/detail.html", fragment="actions/_history.html", history=history.rows,
                      listing=history, labels=STATUS_LABELS, zone=time_zones.zone_of(
                          service.acting_clinic(session, user=user, clinic_id=action.clinic_id)))
    clinic = service.acting_clinic(session, user=user, clinic_id=action.clinic_id)
    texts = {k: localized(t) or k for k, t in service.item_texts(session, action.checklist_id).items()}
    titles = {k: localized(t) or k for k, t in service.touchpoint_titles(session, action.checklist_id).items()}
    return render(request, "actions/detail.html", fragment="actions/_detail.html", action=action, clinic=clinic,
                  items=service.items_of(session, [action_id]).get(action_id, []), item_texts=texts,
                  touchpoints=titles, history=history.rows, listing=history, labels=STATUS_LABELS,
                  moves=sorted(service.MOVES[action.status]), owners=service.eligible_owners(session, clinic),
                  overdue=boards.is_overdue(action, clinic, now), zone=time_zones.zone_of(clinic), error=error,
                  status_code=status_code)


@router.get("/actions/{action_id}", name="action_detail", response_class=HTMLResponse)
def action_page(request: Request, action_id: int, user: ActionUser, session: SessionDep, page: PageParams,
                now: Now) -> HTMLResponse:
    return _detail(request, session, user, action_id, now=now, page=page)


@router.post("/actions/{action_id}", name="action_update")
def update_action(request: Request, action_id: int, user: ActionUser, session: SessionDep, now: Now,
                  status: Annotated[str, Form()] = "", owner_id: Annotated[str, Form()] = "",
                  due_on: Annotated[str, Form()] = "", comment: Annotated[str, Form()] = "") -> Response:
    action = service.action_in_scope(session, user=user, action_id=action_id)
    try:
        service.change_action(session, user=user, action=action, status=status or None, owner_id=_int(owner_id),
                              due_on=_date(due_on), comment=comment)
    except Invalid as error:
        session.rollback()
        return _detail(request, session, user, action_id, now=now, error=error.text(), status_code=422)
    if request.headers.get("HX-Request") == "true":
        return _detail(request, session, user, action_id, now=now)
    return RedirectResponse(request.url_for("action_detail", action_id=action_id), status_code=303)


def _with_key_drivers(session: SessionDep, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Flag the map's problems that are key drivers of the checklist over the reader's network."""
    report = data["report"]
    keys = drivers.key_items_of(session, user=user, slug=report["checklist"],
                                wave_id=report["wave"]["id"] if report["wave"] else None)
    for column in data["columns"]:
        for problem in column["problems"]:
            problem["driver"] = problem["key"] in keys
    return data


@router.get("/reports/clinics/{clinic_id}/journey", name="clinic_journey", response_class=HTMLResponse)
def journey_page(request: Request, clinic_id: int, user: ActionUser, session: SessionDep,
                 wave: Text = None) -> HTMLResponse:
    data = _with_key_drivers(session, user, journey.build_journey(session, user=user, clinic_id=clinic_id,
                                                                  wave=(wave or "").strip() or None))
    return render(request, "actions/journey.html", block="journey", **data, fmt=charts.fmt, signed=charts.signed,
                  statuses=[str(s) for s in ActionStatus])


STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "app.css"


@router.get("/reports/clinics/{clinic_id}/journey.pdf", name="clinic_journey_pdf")
def journey_pdf(request: Request, clinic_id: int, user: ActionUser, session: SessionDep,
                wave: Text = None) -> Response:
    """The journey map as a PDF on A3 landscape (the print CSS), printed by headless Chromium in this
    request; 503 where the server has none. The page asks for it as a job (app.actions.tasks)."""
    content, filename = journey_pdf_file(request, session, user=user, clinic_id=clinic_id, wave=wave)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def journey_pdf_file(request: Request, session: Session, *, user: User, clinic_id: int,
                     wave: str | None) -> tuple[bytes, str]:
    """The journey map printed to PDF, and its file name. Raises NotFound, PdfUnavailable."""
    data = _with_key_drivers(session, user, journey.build_journey(session, user=user, clinic_id=clinic_id,
                                                                  wave=(wave or "").strip() or None))
    page = render(request, "actions/journey_pdf.html", **data, fmt=charts.fmt, signed=charts.signed,
                  statuses=[str(s) for s in ActionStatus], stylesheet=STYLESHEET.read_text(encoding="utf-8"))
    wave_id = data["report"]["wave"]["id"] if data["report"]["wave"] else "none"
    return pdf.html_to_pdf(bytes(page.body).decode("utf-8")), f"journey-map-clinic-{clinic_id}-wave-{wave_id}.pdf"


def _stage_form(request: Request, session: SessionDep, user: User, clinic_id: int, touchpoint_key: str,
                form: stages.StageInput | None, wave: str | None, error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    clinic = service.acting_clinic(session, user=user, clinic_id=clinic_id)
    stages.check_touchpoint(session, touchpoint_key=touchpoint_key)
    saved = stages.stages_of(session, clinic_id=clinic_id).get(touchpoint_key)
    shown = form or stages.StageInput(backstage=saved.backstage if saved else "",
                                      systems=saved.systems if saved else "",
                                      owner_name=saved.owner_name if saved else "")
    return render(request, "actions/journey_stage.html", clinic=clinic, touchpoint_key=touchpoint_key,
                  stage_title=journey.stage_title(session, touchpoint_key), form=shown, wave=wave, error=error,
                  status_code=status_code)


@router.get("/reports/clinics/{clinic_id}/journey/stages/{touchpoint_key}", name="journey_stage_form",
            response_class=HTMLResponse)
def journey_stage_page(request: Request, clinic_id: int, touchpoint_key: str, user: StageEditor,
                       session: SessionDep, wave: Text = None) -> HTMLResponse:
    """The form for one stage's blueprint lanes and owner."""
    return _stage_form(request, session, user, clinic_id, touchpoint_key, None, (wave or "").strip() or None)


@router.post("/reports/clinics/{clinic_id}/journey/stages/{touchpoint_key}", name="journey_stage_save")
def save_journey_stage(request: Request, clinic_id: int, touchpoint_key: str, user: StageEditor,
                       session: SessionDep, backstage: Annotated[str, Form()] = "",
                       systems: Annotated[str, Form()] = "", owner_name: Annotated[str, Form()] = "",
                       wave: Annotated[str, Form()] = "") -> Response:
    """Save a stage's blueprint, then back to the map (303); 422 with the form on bad input."""
    clinic = service.acting_clinic(session, user=user, clinic_id=clinic_id)
    data = stages.StageInput(backstage=backstage, systems=systems, owner_name=owner_name)
    try:
        stages.save_stage(session, user=user, clinic=clinic, touchpoint_key=touchpoint_key, data=data)
    except Invalid as error:
        session.rollback()
        return _stage_form(request, session, user, clinic_id, touchpoint_key, data, wave.strip() or None,
                           error=error.text(), status_code=422)
    target = str(request.url_for("clinic_journey", clinic_id=clinic_id))
    return RedirectResponse(f"{target}?wave={wave.strip()}" if wave.strip() else target, status_code=303)
