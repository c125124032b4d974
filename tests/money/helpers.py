"""Money test helpers: a submitted visit with a receipt, approved by QA, in a few lines."""

import io
from decimal import Decimal

from sqlmodel import Session

from app.accounts.models import Role, User
from app.clinics.models import Clinic
from app.fieldwork import evidence, submission
from app.fieldwork.models import Audit, Wave
from app.money import receipts, terms
from app.review import service as review
from tests.factories import make_user
from tests.fieldwork.helpers import answer_all, make_audit, make_wave, picture

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def paid_wave(session: Session, fee: str = "1500.00", limit: str = "3000.00") -> Wave:
    wave = make_wave(session)
    terms.set_wave_defaults(session, wave=wave, fee=fee, reimbursement_limit=limit)
    return wave


def submitted_visit(session: Session, *, shopper: User | None = None, wave: Wave | None = None,
                    paid: str | None = "2500.00", clinic: Clinic | None = None) -> Audit:
    """A submitted report of the small checklist, with a PDF receipt for `paid` (None: no receipt)."""
    audit = make_audit(session, shopper=shopper or make_user(session, Role.shopper), wave=wave or paid_wave(session),
                       clinic=clinic)
    answer_all(session, audit)
    evidence.add_evidence(session, audit=audit, upload=io.BytesIO(picture()), item_key="reception.photo")
    if paid is not None:
        receipts.attach_receipt(session, audit=audit, amount_paid=paid, upload=io.BytesIO(PDF))
    submission.submit_audit(session, audit=audit)
    return audit


def approve(session: Session, audit: Audit, qa: User | None = None) -> None:
    review.review_audit(session, audit=audit, reviewer=qa or make_user(session, Role.qa_lead), decision="approve")


def total(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))
