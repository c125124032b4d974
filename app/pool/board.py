"""The visit board: QA publishes unassigned visits, qualified shoppers claim them on the phone.

One claim wins: the claim is one conditional UPDATE (`status = 'open'` → `'claimed'`), so of any
number of shoppers tapping at once exactly one changes the row; the others get 409. A second tap by
the winner answers with the same assignment. The claim then makes the assignment through fieldwork
(`assign_visit`, which checks the pool's rules again) with the board's fee and limit as its terms.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.checklists import versions as checklists
from app.checklists.models import Checklist
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.fieldwork import assignments
from app.fieldwork.models import Assignment, Scenario, Wave
from app.i18n import N_
from app.money import terms
from app.money.amounts import to_amount
from app.pool import rules
from app.pool.models import BoardStatus, BoardVisit
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page


class BoardVisitNotFound(NotFound):
    message = N_("There is no such visit on the board.")


class ClaimedByOther(Conflict):
    message = N_("Someone else took this visit a moment ago.")


class NotWithdrawable(Conflict):
    message = N_("Only a visit nobody has claimed can be taken off the board.")


@dataclass(frozen=True)
class BoardCard:
    """One visit on the board as a shopper (or QA) sees it."""

    visit: BoardVisit
    wave: Wave
    clinic: Clinic
    checklist: str
    title: dict[str, str]
    scenario: Scenario | None
    fee: Decimal
    reimbursement_limit: Decimal
    refusal: rules.Refusal | None = None  # why this shopper may not claim it


def publish_visit(session: Session, *, wave: Wave, clinic: Clinic, checklist_slug: str,
                  scenario: Scenario | None, window_start: date | None = None, window_end: date | None = None,
                  fee: object | None = None, reimbursement_limit: object | None = None,
                  actor: User | None = None) -> BoardVisit:
    """Put an unassigned visit on the board (fee and limit None: the wave's defaults).
    Raises Invalid (inactive clinic, window ends before it starts), NotAnAmount, ChecklistNotFound."""
    if not clinic.active:
        raise Invalid(N_("The clinic {name} is not active."), name=clinic.name)
    if window_start and window_end and window_end < window_start:
        raise Invalid(N_("The visit window ends before it starts."))
    version = checklists.latest_version(session, checklist_slug)
    visit = BoardVisit(wave_id=wave.id or 0, clinic_id=clinic.id or 0, checklist_id=version.checklist_id,
                       scenario_id=scenario.id if scenario else None, window_start=window_start,
                       window_end=window_end, fee=to_amount(fee) if fee not in (None, "") else None,
                       reimbursement_limit=to_amount(reimbursement_limit)
                       if reimbursement_limit not in (None, "") else None,
                       published_by_id=actor.id if actor else None)
    session.add(visit)
    session.flush()
    trail.record(session, actor=actor, verb="board.publish", entity="board_visit", entity_id=visit.id,
                 wave_id=wave.id, clinic_id=clinic.id, checklist=checklist_slug,
                 fee=str(visit.fee) if visit.fee is not None else None)
    return visit


def get_board_visit(session: Session, board_visit_id: int) -> BoardVisit:
    visit = session.get(BoardVisit, board_visit_id)
    if visit is None:
        raise BoardVisitNotFound()
    return visit


def cards_of(session: Session, visits: list[BoardVisit]) -> list[BoardCard]:
    waves = {w.id: w for w in session.exec(select(Wave).where(col(Wave.id).in_({v.wave_id for v in visits}))).all()}
    clinics = {c.id: c for c in session.exec(select(Clinic).where(
        col(Clinic.id).in_({v.clinic_id for v in visits}))).all()}
    slugs = {c.id: c.slug for c in session.exec(select(Checklist).where(
        col(Checklist.id).in_({v.checklist_id for v in visits}))).all()}
    scenario_ids = {v.scenario_id for v in visits if v.scenario_id}
    scenarios = {s.id: s for s in session.exec(select(Scenario).where(col(Scenario.id).in_(scenario_ids))).all()}
    cards = []
    for visit in visits:
        defaults = terms.wave_defaults(session, visit.wave_id)
        version = checklists.latest_version(session, slugs[visit.checklist_id])
        cards.append(BoardCard(
            visit=visit, wave=waves[visit.wave_id], clinic=clinics[visit.clinic_id],
            checklist=slugs[visit.checklist_id], title=version.title,
            scenario=scenarios.get(visit.scenario_id) if visit.scenario_id else None,
            fee=visit.fee if visit.fee is not None else defaults.fee,
            reimbursement_limit=visit.reimbursement_limit if visit.reimbursement_limit is not None
            else defaults.reimbursement_limit))
    return cards


# Undated windows last (a sentinel keeps the key comparable), then publication.
BOARD_ORDER = (SortKey(func.coalesce(col(BoardVisit.window_end), date.max)), SortKey(col(BoardVisit.id)))


def open_visits(session: Session, page: PageRequest | None = None) -> Page[BoardCard]:
    """One page of the visits still open on the board, soonest window first (for QA). Raises BadPage."""
    found = fetch_page(session, select(BoardVisit).where(BoardVisit.status == BoardStatus.open),
                       order=BOARD_ORDER, page=page or PageRequest())
    return found.with_rows(cards_of(session, found.rows))


def open_count(session: Session) -> int:
    return int(session.exec(select(func.count(col(BoardVisit.id))).where(BoardVisit.status == BoardStatus.open)).one())


def board_for(session: Session, *, shopper: User, page: PageRequest | None = None) -> Page[BoardCard]:
    """One page of open visits with, for each, the rule that keeps this shopper from claiming it (None:
    they may). An inactive shopper sees nothing. Raises BadPage."""
    if not shopper.active or shopper.role != Role.shopper:
        return Page(rows=[], next_cursor=None, first=page is None or page.cursor is None)
    cards = open_visits(session, page)
    return Page(rows=[BoardCard(**{**card.__dict__, "refusal": rules.refusal(
        session, shopper=shopper, wave=card.wave, clinic=card.clinic, checklist_id=card.visit.checklist_id,
        visit_on=card.visit.window_start)}) for card in cards.rows], next_cursor=cards.next_cursor, first=cards.first)


def claimable_for(session: Session, *, shopper: User, page: PageRequest | None = None) -> Page[BoardCard]:
    """The claimable visits among one page of the board: a page may hold fewer than its limit, even none,
    while `next_cursor` says more follow (the rules are checked in Python, after the LIMIT)."""
    found = board_for(session, shopper=shopper, page=page)
    return Page(rows=[card for card in found.rows if card.refusal is None], next_cursor=found.next_cursor,
                first=found.first)


def claim_visit(session: Session, *, board_visit: BoardVisit, shopper: User) -> Assignment:
    """The shopper takes the visit: its assignment (and draft audit) with the board's fee and limit.

    Raises BoardVisitNotFound (withdrawn), ClaimedByOther (409: someone else won), RuleRefused
    (422 naming the rule). A repeated claim by the winner returns the same assignment.
    """
    if board_visit.status == BoardStatus.claimed and board_visit.claimed_by_id == shopper.id \
            and board_visit.assignment_id:
        found = session.get(Assignment, board_visit.assignment_id)
        assert found is not None
        return found
    if board_visit.status == BoardStatus.withdrawn:
        raise BoardVisitNotFound()
    wave = session.get(Wave, board_visit.wave_id)
    clinic = session.get(Clinic, board_visit.clinic_id)
    checklist = session.get(Checklist, board_visit.checklist_id)
    assert wave is not None and clinic is not None and checklist is not None
    # One claim at a time per shopper (a row lock on PostgreSQL; SQLite serialises every writer anyway),
    # so two taps on two visits cannot both pass the per-wave limit.
    session.exec(select(User.id).where(User.id == shopper.id).with_for_update()).first()
    rules.check_visit(session, shopper=shopper, wave=wave, clinic=clinic, checklist_id=checklist.id or 0,
                      visit_on=board_visit.window_start)
    won = session.exec(  # type: ignore[call-overload]
        update(BoardVisit).where(col(BoardVisit.id) == board_visit.id, col(BoardVisit.status) == BoardStatus.open)
        .values(status=BoardStatus.claimed, claimed_by_id=shopper.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False))
    if won.rowcount != 1:
        session.refresh(board_visit)
        if board_visit.claimed_by_id == shopper.id and board_visit.assignment_id:
            found = session.get(Assignment, board_visit.assignment_id)
            assert found is not None
            return found
        raise ClaimedByOther()
    scenario = session.get(Scenario, board_visit.scenario_id) if board_visit.scenario_id else None
    assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=checklist.slug,
                                          scenario=scenario, shopper=shopper,
                                          window_start=board_visit.window_start,
                                          window_end=board_visit.window_end, actor=shopper)
    if board_visit.fee is not None or board_visit.reimbursement_limit is not None:
        terms.set_visit_terms(session, assignment=assignment, fee=board_visit.fee,
                              reimbursement_limit=board_visit.reimbursement_limit)
    session.exec(update(BoardVisit).where(col(BoardVisit.id) == board_visit.id)  # type: ignore[call-overload]
                 .values(assignment_id=assignment.id).execution_options(synchronize_session=False))
    session.refresh(board_visit)
    trail.record(session, actor=shopper, verb="board.claim", entity="board_visit", entity_id=board_visit.id,
                 assignment_id=assignment.id)
    return assignment


def withdraw_visit(session: Session, *, board_visit: BoardVisit, actor: User) -> BoardVisit:
    """Take an unclaimed visit off the board. Raises NotWithdrawable (409)."""
    done = session.exec(  # type: ignore[call-overload]
        update(BoardVisit).where(col(BoardVisit.id) == board_visit.id, col(BoardVisit.status) == BoardStatus.open)
        .values(status=BoardStatus.withdrawn).execution_options(synchronize_session=False))
    session.refresh(board_visit)
    if done.rowcount != 1:
        raise NotWithdrawable()
    trail.record(session, actor=actor, verb="board.withdraw", entity="board_visit", entity_id=board_visit.id)
    return board_visit

