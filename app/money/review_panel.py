"""What the review screen shows about a visit's money: fee, limit, the receipt and QA's decision."""

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from app.fieldwork.models import Assignment, Audit
from app.money import ledger, receipts, terms
from app.money.amounts import currency
from app.money.models import LedgerEntry, Receipt


@dataclass(frozen=True)
class MoneyPanel:
    terms: terms.Terms
    receipt: Receipt | None
    entry: LedgerEntry | None
    reimbursable: Decimal  # what the receipt pays back as things stand
    above_limit: bool  # the amount paid is above the visit's limit
    currency: str


def money_panel(session: Session, audit: Audit) -> MoneyPanel:
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None
    visit_terms = terms.terms_of(session, assignment)
    receipt = receipts.receipt_of(session, audit)
    return MoneyPanel(terms=visit_terms, receipt=receipt, entry=ledger.visit_entry(session, audit.id or 0),
                      reimbursable=receipts.reimbursable(receipt, visit_terms.reimbursement_limit),
                      above_limit=receipt is not None and receipt.amount_paid > visit_terms.reimbursement_limit,
                      currency=currency())
