"""The visit board over the API: what a shopper may claim, the claim, and publishing (QA)."""

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.accounts.deps import QaUser, ShopperUser
from app.clinics.models import Clinic
from app.db import SessionDep
from app.errors import Invalid, NotFound
from app.fieldwork import assignments, waves
from app.fieldwork.api import _assignment_out
from app.fieldwork.schemas import AssignmentOut
from app.i18n import N_
from app.money.amounts import currency
from app.pool import board
from app.pool.models import BoardStatus, BoardVisit
from app.pool.schemas import BoardVisitIn, BoardVisitOut
from app.web.paging import PAGED, PageParams, link_next

router = APIRouter(prefix="/api/v1", tags=["board"])


def _out(card: board.BoardCard) -> BoardVisitOut:
    v = card.visit
    return BoardVisitOut(id=v.id or 0, wave_id=v.wave_id, wave=card.wave.name, clinic_id=v.clinic_id,
                         clinic_name=card.clinic.name, checklist=card.checklist, scenario_id=v.scenario_id,
                         window_start=v.window_start, due_on=v.window_end, fee=card.fee,
                         reimbursement_limit=card.reimbursement_limit, currency=currency(), status=v.status)


@router.get("/board", response_model=list[BoardVisitOut], responses=PAGED)
def list_board(request: Request, response: Response, user: ShopperUser, session: SessionDep,
               page: PageParams) -> list[BoardVisitOut]:
    """The visits this shopper may claim now (none for an inactive shopper), soonest window first.
    The rules are checked per page of open visits, so a page may hold fewer than `limit` rows, even
    none, while the Link header says more follow."""
    found = board.claimable_for(session, shopper=user, page=page)
    link_next(request, response, found)
    return [_out(card) for card in found.rows]


@router.post("/board/{board_visit_id}/claim", response_model=AssignmentOut,
             responses={409: {"description": "someone else claimed it first"},
                        422: {"description": "a rule refuses it: detail [{rule, message}]"}})
def claim(board_visit_id: int, user: ShopperUser, session: SessionDep) -> AssignmentOut:
    """200 with the new assignment; a repeat by the winner answers the same assignment."""
    visit = board.get_board_visit(session, board_visit_id)
    assignment = board.claim_visit(session, board_visit=visit, shopper=user)
    return _assignment_out(session, assignments.visit_of(session, assignments.audit_for(session, assignment)))


def _card(session: Session, visit_id: int) -> board.BoardCard:
    visit = session.get(BoardVisit, visit_id)
    if visit is None or visit.status != BoardStatus.open:
        raise NotFound()
    return board.cards_of(session, [visit])[0]


@router.post("/board", response_model=BoardVisitOut, status_code=201)
def publish(body: BoardVisitIn, user: QaUser, session: SessionDep) -> BoardVisitOut:
    """Every reference (wave, clinic, checklist, scenario) must exist: else 422."""
    clinic = session.get(Clinic, body.clinic_id)
    if clinic is None:
        raise Invalid(N_("There is no clinic {clinic_id}."), clinic_id=body.clinic_id)
    try:
        wave = waves.get_wave(session, body.wave_id)
        scenario = assignments.get_scenario(session, body.scenario_id) if body.scenario_id else None
        visit = board.publish_visit(session, wave=wave, clinic=clinic, checklist_slug=body.checklist,
                                    scenario=scenario, window_start=body.window_start, window_end=body.due_on,
                                    fee=body.fee, reimbursement_limit=body.reimbursement_limit, actor=user)
    except NotFound as missing:
        raise Invalid(missing.message, **missing.params) from missing
    return _out(_card(session, visit.id or 0))
