"""Pool pages: the shopper's board (claim, or the rule that says no), the certification quiz; QA's
board (publish, withdraw, certify) and each wave's money and rules."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import QaUser, ShopperUser
from app.accounts.models import Role, User
from app.clinics.models import Clinic
from app.db import SessionDep
from app.errors import DomainError, Invalid
from app.fieldwork import assignments, waves
from app.fieldwork.deps import PostedForm
from app.i18n import N_, gettext
from app.money import terms
from app.money.amounts import currency
from app.planning import service as planning
from app.pool import board, certification, rules
from app.web import choices, paging
from app.web.templating import render

router = APIRouter(include_in_schema=False)

DONE = {
    "published": N_("The visit is on the board."),
    "withdrawn": N_("The visit was taken off the board."),
    "certified": N_("The shopper is certified for the checklist."),
    "saved": N_("The wave's money and rules were saved."),
    "passed": N_("You passed: you are certified for this checklist."),
}


def _flash(request: Request, done: str | None) -> None:
    request.state.flashes = [("ok", gettext(DONE[done]))] if done in DONE else []


def _page(request: Request) -> paging.PageRequest:
    return paging.page_request(request.query_params.get("limit"), request.query_params.get("cursor"))


def _board_page(request: Request, session: SessionDep, user: User, *, status_code: int = 200,
                error: str | None = None) -> Response:
    cards = board.board_for(session, shopper=user, page=_page(request))
    return render(request, "pool/board.html", status_code=status_code, error=error, currency=currency(),
                  listing=cards, claimable=[c for c in cards.rows if c.refusal is None],
                  blocked=[c for c in cards.rows if c.refusal is not None])


@router.get("/board", name="visit_board")
def board_page(request: Request, user: ShopperUser, session: SessionDep) -> Response:
    return _board_page(request, session, user)


@router.post("/board/{board_visit_id}/claim", name="board_claim")
def board_claim(request: Request, user: ShopperUser, session: SessionDep, board_visit_id: int) -> Response:
    """303 to the new visit; the board again with 409 (someone else won) or 422 (the refusing rule)."""
    visit = board.get_board_visit(session, board_visit_id)
    try:
        assignment = board.claim_visit(session, board_visit=visit, shopper=user)
    except (board.ClaimedByOther, rules.RuleRefused) as error:
        return _board_page(request, session, user, status_code=error.status_code, error=error.text())
    audit = assignments.audit_for(session, assignment)
    return RedirectResponse(request.url_for("visit", audit_id=audit.id).path, status_code=303)


@router.get("/board/quiz/{slug}", name="board_quiz")
def quiz_page(request: Request, user: ShopperUser, session: SessionDep, slug: str) -> Response:
    checklist = certification.get_checklist(session, slug)
    return render(request, "pool/quiz.html", checklist=checklist,
                  questions=certification.quiz(session, shopper=user, checklist=checklist), error=None)


@router.post("/board/quiz/{slug}", name="board_quiz_answer")
def quiz_answer(request: Request, user: ShopperUser, session: SessionDep, slug: str, form: PostedForm) -> Response:
    checklist = certification.get_checklist(session, slug)
    answers = {key[2:]: value for key, value in form.items() if key.startswith("q.") and isinstance(value, str)}
    try:
        certification.take_quiz(session, shopper=user, checklist=checklist, answers=answers)
    except certification.QuizFailed as failed:
        return render(request, "pool/quiz.html", status_code=422, checklist=checklist, error=failed.text(),
                      questions=certification.quiz(session, shopper=user, checklist=checklist))
    request.state.flashes = [("ok", gettext(DONE["passed"]))]
    return _board_page(request, session, user)


def _manage_page(request: Request, session: SessionDep, *, status_code: int = 200,
                 error: str | None = None) -> Response:
    visits = board.open_visits(session, _page(request))
    return render(request, "pool/manage.html", status_code=status_code, error=error, currency=currency(),
                  listing=visits, visits=visits.rows, open_count=board.open_count(session),
                  waves=choices.for_field(request, session, "waves", "wave"),
                  clinics=choices.for_field(request, session, "active-clinics", "clinic"),
                  shoppers=choices.for_field(request, session, "active-shoppers", "shopper"),
                  choices=planning.board_choices(session), certified=certification.certifications(session))


@router.get("/board/manage", name="board_manage")
def manage_page(request: Request, user: QaUser, session: SessionDep, done: str | None = None) -> Response:
    _flash(request, done)
    return _manage_page(request, session)


@router.post("/board/manage", name="board_publish")
def board_publish(request: Request, user: QaUser, session: SessionDep, wave: Annotated[int, Form()],
                  clinic: Annotated[int, Form()], checklist: Annotated[str, Form()],
                  scenario: Annotated[int | None, Form()] = None,
                  window_start: Annotated[date | None, Form()] = None,
                  window_end: Annotated[date | None, Form()] = None, fee: Annotated[str, Form()] = "",
                  copies: Annotated[int, Form()] = 1) -> Response:
    try:
        chosen_clinic = session.get(Clinic, clinic)
        if chosen_clinic is None:
            raise Invalid(N_("There is no clinic {clinic_id}."), clinic_id=clinic)
        if not 1 <= copies <= 50:
            raise Invalid(N_("Publish between 1 and 50 visits at once."))
        chosen_wave = waves.get_wave(session, wave)
        chosen_scenario = assignments.get_scenario(session, scenario) if scenario else None
        with session.begin_nested():  # all the copies or none
            for _copy in range(copies):
                board.publish_visit(session, wave=chosen_wave, clinic=chosen_clinic, checklist_slug=checklist,
                                    scenario=chosen_scenario, window_start=window_start, window_end=window_end,
                                    fee=fee or None, actor=user)
    except DomainError as error:
        if error.status_code not in (404, 422):
            raise
        return _manage_page(request, session, status_code=422, error=error.text())
    return RedirectResponse(f"{request.url_for('board_manage').path}?done=published", status_code=303)


@router.post("/board/{board_visit_id}/withdraw", name="board_withdraw")
def board_withdraw(request: Request, user: QaUser, session: SessionDep, board_visit_id: int) -> Response:
    visit = board.get_board_visit(session, board_visit_id)
    try:
        board.withdraw_visit(session, board_visit=visit, actor=user)
    except board.NotWithdrawable as error:
        return _manage_page(request, session, status_code=409, error=error.text())
    return RedirectResponse(f"{request.url_for('board_manage').path}?done=withdrawn", status_code=303)


@router.post("/board/certifications", name="board_certify")
def board_certify(request: Request, user: QaUser, session: SessionDep, shopper: Annotated[int, Form()],
                  checklist: Annotated[str, Form()]) -> Response:
    person = session.get(User, shopper)
    try:
        if person is None or person.role != Role.shopper:
            raise certification.NotAShopper()
        certification.certify(session, shopper=person, checklist=certification.get_checklist(session, checklist),
                              actor=user)
    except DomainError as error:
        if error.status_code not in (404, 422):
            raise
        return _manage_page(request, session, status_code=422, error=error.text())
    return RedirectResponse(f"{request.url_for('board_manage').path}?done=certified", status_code=303)


def _settings_page(request: Request, session: SessionDep, wave_id: int, *, status_code: int = 200,
                   error: str | None = None) -> Response:
    wave = waves.get_wave(session, wave_id)
    return render(request, "pool/wave_settings.html", status_code=status_code, wave=wave, error=error,
                  money=terms.wave_defaults(session, wave_id), rules=rules.rules_of(session, wave_id),
                  currency=currency())


@router.get("/waves/{wave_id}/pool", name="wave_pool")
def wave_pool(request: Request, user: QaUser, session: SessionDep, wave_id: int, done: str | None = None) -> Response:
    _flash(request, done)
    return _settings_page(request, session, wave_id)


def _optional_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 5:
        raise Invalid(N_("{value} is not a whole number."), value=text)
    return int(text)


@router.post("/waves/{wave_id}/pool", name="wave_pool_save")
def wave_pool_save(request: Request, user: QaUser, session: SessionDep, wave_id: int,
                   fee: Annotated[str, Form()] = "0", reimbursement_limit: Annotated[str, Form()] = "0",
                   revisit_days: Annotated[str, Form()] = "", max_visits: Annotated[str, Form()] = "",
                   certification_required: Annotated[str, Form()] = "") -> Response:
    wave = waves.get_wave(session, wave_id)
    try:
        with session.begin_nested():  # money and rules together, or neither
            terms.set_wave_defaults(session, wave=wave, fee=fee or "0", reimbursement_limit=reimbursement_limit or "0")
            rules.set_wave_rules(session, wave=wave, revisit_days=_optional_int(revisit_days),
                                 max_visits=_optional_int(max_visits),
                                 certification_required=certification_required in ("1", "on"))
    except Invalid as error:
        return _settings_page(request, session, wave_id, status_code=422, error=error.text())
    return RedirectResponse(f"{request.url_for('wave_pool', wave_id=wave_id).path}?done=saved", status_code=303)
