"""What a visit pays: its own fee and reimbursement limit, else its wave's defaults, else nothing."""

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from app.db_types import utcnow
from app.fieldwork.models import Assignment, Wave
from app.money.amounts import ZERO, to_amount
from app.money.models import VisitTerms, WaveMoney


@dataclass(frozen=True)
class Terms:
    fee: Decimal
    reimbursement_limit: Decimal


def wave_defaults(session: Session, wave_id: int) -> Terms:
    row = session.get(WaveMoney, wave_id)
    return Terms(row.fee, row.reimbursement_limit) if row else Terms(ZERO, ZERO)


def set_wave_defaults(session: Session, *, wave: Wave, fee: object, reimbursement_limit: object) -> WaveMoney:
    """Set the wave's default fee and limit (visits without their own terms follow them until their
    report is submitted; the ledger keeps what was owed then). Raises NotAnAmount (422)."""
    row = session.get(WaveMoney, wave.id) or WaveMoney(wave_id=wave.id or 0)
    row.fee, row.reimbursement_limit = to_amount(fee), to_amount(reimbursement_limit)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def set_visit_terms(session: Session, *, assignment: Assignment, fee: object | None = None,
                    reimbursement_limit: object | None = None) -> VisitTerms:
    """Give one visit its own fee and/or limit (None keeps the wave's default). Raises NotAnAmount."""
    row = session.get(VisitTerms, assignment.id) or VisitTerms(assignment_id=assignment.id or 0)
    row.fee = to_amount(fee) if fee is not None else None
    row.reimbursement_limit = to_amount(reimbursement_limit) if reimbursement_limit is not None else None
    session.add(row)
    session.flush()
    return row


def terms_of(session: Session, assignment: Assignment) -> Terms:
    """The visit's fee and reimbursement limit."""
    defaults = wave_defaults(session, assignment.wave_id)
    own = session.get(VisitTerms, assignment.id)
    if own is None:
        return defaults
    return Terms(own.fee if own.fee is not None else defaults.fee,
                 own.reimbursement_limit if own.reimbursement_limit is not None else defaults.reimbursement_limit)
