"""Money over the API: a shopper's own earnings; payout batches for QA leads and admins."""

from fastapi import APIRouter, Request, Response

from app.accounts.deps import ShopperUser
from app.db import SessionDep
from app.money import ledger, payouts
from app.money.amounts import currency
from app.money.deps import PayoutUser
from app.money.models import Payout
from app.money.schemas import EarningsOut, EntryOut, PayoutIn, PayoutOut
from app.web.paging import PAGED, PageParams, link_next

router = APIRouter(prefix="/api/v1", tags=["money"])


@router.get("/earnings", response_model=EarningsOut, responses=PAGED)
def my_earnings(request: Request, response: Response, user: ShopperUser, session: SessionDep,
                page: PageParams) -> EarningsOut:
    """The shopper's own entries, newest first one page at a time (docs/design.md §8), and the
    totals over all of them; nobody else's."""
    earnings = ledger.earnings_page(session, shopper=user, page=page)
    link_next(request, response, earnings.listing)
    return EarningsOut(currency=currency(), pending=earnings.pending, owed=earnings.owed, paid=earnings.paid,
                       entries=[EntryOut(id=r.entry.id or 0, kind=r.entry.kind, audit_id=r.entry.audit_id,
                                         clinic=r.clinic, wave=r.wave, fee=r.entry.fee,
                                         reimbursement=r.entry.reimbursement, amount=r.entry.amount,
                                         status=r.entry.status, payout_id=r.entry.payout_id,
                                         created_at=r.entry.created_at) for r in earnings.rows])


def _out(payout: Payout) -> PayoutOut:
    return PayoutOut.model_validate(payout, from_attributes=True)


@router.get("/payouts", response_model=list[PayoutOut], responses=PAGED)
def list_payouts(request: Request, response: Response, user: PayoutUser, session: SessionDep,
                 page: PageParams) -> list[PayoutOut]:
    """The newest batch first, one page at a time (docs/design.md §8)."""
    found = payouts.payouts_page(session, page=page)
    link_next(request, response, found)
    return [_out(p) for p in found.rows]


@router.post("/payouts", response_model=PayoutOut, status_code=201,
             responses={422: {"description": "nothing approved up to that date"}})
def create_payout(body: PayoutIn, user: PayoutUser, session: SessionDep) -> PayoutOut:
    return _out(payouts.create_payout(session, up_to=body.up_to, actor=user))


@router.post("/payouts/{payout_id}/export", response_model=PayoutOut,
             responses={409: {"description": "already exported"}})
def export_payout(payout_id: int, user: PayoutUser, session: SessionDep) -> PayoutOut:
    """Freeze the batch for accounting, once; download it as /payouts/{id}/payout.xlsx or .csv."""
    return _out(payouts.export_payout(session, payout=payouts.get_payout(session, payout_id), actor=user))


@router.post("/payouts/{payout_id}/paid", response_model=PayoutOut,
             responses={409: {"description": "not exported yet, or already paid"}})
def mark_paid(payout_id: int, user: PayoutUser, session: SessionDep) -> PayoutOut:
    return _out(payouts.mark_paid(session, payout=payouts.get_payout(session, payout_id), actor=user))
