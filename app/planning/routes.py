"""Wave planning pages: the waves with their progress, and each wave's assignment board."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import QaUser
from app.clinics.time_zones import Now
from app.db import SessionDep
from app.errors import DomainError
from app.fieldwork import waves
from app.i18n import N_, gettext
from app.planning import service
from app.web import choices, paging
from app.web.templating import render

router = APIRouter(include_in_schema=False)

DONE_MESSAGES = {
    "created": N_("The wave was created. Now assign its visits."),
    "assigned": N_("{n} visits assigned."),
    "reassigned": N_("The visit was given to another shopper."),
    "cancelled": N_("The assignment was cancelled; its draft report was removed."),
}


def _flashes(done: str | None, n: str | None = None) -> list[tuple[str, str]]:
    if done not in DONE_MESSAGES:
        return []
    return [("ok", gettext(DONE_MESSAGES[done]).format(n=n if (n or "").isdigit() else ""))]


def _page(request: Request) -> paging.PageRequest:
    return paging.page_request(request.query_params.get("limit"), request.query_params.get("cursor"))


def _waves_page(request: Request, session: SessionDep, *, status_code: int = 200, error: str | None = None,
                form: dict[str, object] | None = None) -> Response:
    return render(request, "planning/waves.html", block="waves", status_code=status_code,
                  listing=service.waves_with_progress(session, _page(request)),
                  error=error, form=form or {})


@router.get("/waves", name="waves")
def waves_page(request: Request, user: QaUser, session: SessionDep) -> Response:
    return _waves_page(request, session)


@router.post("/waves", name="wave_create")
def wave_create(request: Request, user: QaUser, session: SessionDep, name: Annotated[str, Form()],
                starts_on: Annotated[date, Form()], ends_on: Annotated[date, Form()],
                visits_per_clinic: Annotated[int, Form()] = 1) -> Response:
    try:
        wave = waves.create_wave(session, name=name, starts_on=starts_on, ends_on=ends_on, actor=user,
                                 visits_per_clinic=visits_per_clinic)
    except DomainError as error:
        form = {"name": name, "starts_on": starts_on, "ends_on": ends_on,
                "visits_per_clinic": visits_per_clinic}
        return _waves_page(request, session, status_code=error.status_code, error=error.text(), form=form)
    url = request.url_for("wave_board", wave_id=wave.id).path
    return RedirectResponse(f"{url}?done=created", status_code=303)


def _board_page(request: Request, session: SessionDep, wave_id: int, *, status_code: int = 200,
                error: str | None = None, now: datetime | None = None) -> Response:
    wave = waves.get_wave(session, wave_id)
    board = service.wave_board(session, wave, _page(request), now=now)
    on_page = [visit.shopper_id for row in board.rows for visit in row.visits]
    return render(request, "planning/board.html", block="board", status_code=status_code, wave=wave,
                  listing=board, rows=board.rows, choices=service.board_choices(session), error=error,
                  shoppers=choices.for_field(request, session, "active-shoppers", "shopper", on_page))


@router.get("/waves/{wave_id}", name="wave_board")
def wave_board(request: Request, user: QaUser, session: SessionDep, wave_id: int, now: Now,
               done: str | None = None, n: str | None = None) -> Response:
    request.state.flashes = _flashes(done, n)
    return _board_page(request, session, wave_id, now=now)


@router.post("/waves/{wave_id}/assign", name="wave_bulk_assign")
def wave_bulk_assign(request: Request, user: QaUser, session: SessionDep, wave_id: int,
                     checklist: Annotated[str, Form()], clinic: Annotated[list[int] | None, Form()] = None,
                     shopper: Annotated[list[int] | None, Form()] = None,
                     scenario: Annotated[int | None, Form()] = None,
                     window_start: Annotated[date | None, Form()] = None,
                     window_end: Annotated[date | None, Form()] = None,
                     visits: Annotated[int, Form()] = 1) -> Response:
    wave = waves.get_wave(session, wave_id)
    try:
        created = service.bulk_assign(
            session, wave=wave, clinic_ids=clinic or [], shopper_ids=shopper or [], checklist_slug=checklist,
            scenario_id=scenario, window_start=window_start, window_end=window_end, visits_per_clinic=visits,
            actor=user)
    except DomainError as error:
        return _board_page(request, session, wave_id, status_code=error.status_code, error=error.text())
    url = request.url_for("wave_board", wave_id=wave_id).path
    return RedirectResponse(f"{url}?done=assigned&n={len(created)}", status_code=303)


@router.post("/assignments/{assignment_id}/reassign", name="assignment_reassign")
def assignment_reassign(request: Request, user: QaUser, session: SessionDep, assignment_id: int,
                        shopper: Annotated[int, Form()]) -> Response:
    assignment = service.get_assignment(session, assignment_id)
    try:
        service.reassign(session, assignment=assignment, shopper_id=shopper, actor=user)
    except DomainError as error:
        return _board_page(request, session, assignment.wave_id, status_code=error.status_code,
                           error=error.text())
    url = request.url_for("wave_board", wave_id=assignment.wave_id).path
    return RedirectResponse(f"{url}?done=reassigned", status_code=303)


@router.post("/assignments/{assignment_id}/cancel", name="assignment_cancel")
def assignment_cancel(request: Request, user: QaUser, session: SessionDep, assignment_id: int) -> Response:
    assignment = service.get_assignment(session, assignment_id)
    try:
        service.cancel_assignment(session, assignment=assignment, actor=user)
    except DomainError as error:
        return _board_page(request, session, assignment.wave_id, status_code=error.status_code,
                           error=error.text())
    url = request.url_for("wave_board", wave_id=assignment.wave_id).path
    return RedirectResponse(f"{url}?done=cancelled", status_code=303)
