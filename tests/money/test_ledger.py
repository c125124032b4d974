"""The money trail of one visit: fee and limit with wave defaults, the receipt decided at review,
the ledger entry from pending to approved (or cancelled)."""

import io
from decimal import Decimal

import pytest
from sqlmodel import Session

from app.accounts.models import Role
from app.fieldwork.audits import AuditNotEditable
from app.fieldwork.models import Assignment
from app.money import ledger, receipts, terms
from app.money.amounts import NotAnAmount, to_amount
from app.money.models import EntryStatus
from app.review import service as review
from app.storage import get_storage
from app.storage.base import read_all
from tests.factories import make_user
from tests.fieldwork.helpers import gps_exif, make_audit, picture
from tests.money.helpers import PDF, approve, paid_wave, submitted_visit


def test_a_visit_without_its_own_terms_pays_the_wave_defaults(session: Session) -> None:
    wave = paid_wave(session, fee="1200.50", limit="2000.00")
    audit = make_audit(session, wave=wave)
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None

    own = terms.terms_of(session, assignment)
    terms.set_visit_terms(session, assignment=assignment, fee="1800.00")
    changed = terms.terms_of(session, assignment)

    assert own == terms.Terms(Decimal("1200.50"), Decimal("2000.00"))
    assert changed == terms.Terms(Decimal("1800.00"), Decimal("2000.00"))


@pytest.mark.parametrize("text", ["12.345", "-1", "abc", "1e3000", "NaN"])
def test_amounts_are_never_rounded_or_negative(text: str) -> None:
    with pytest.raises(NotAnAmount):
        to_amount(text)


def test_a_float_is_refused_as_an_amount() -> None:
    with pytest.raises(NotAnAmount):
        to_amount(0.1)


def test_amounts_written_with_a_comma_and_spaces_are_read_exactly() -> None:
    assert to_amount("1 234,5") == Decimal("1234.50")


def test_submitting_makes_a_pending_entry_of_fee_and_receipt_up_to_the_limit(session: Session) -> None:
    wave = paid_wave(session, fee="1500.00", limit="2000.00")

    audit = submitted_visit(session, wave=wave, paid="2500.00")

    entry = ledger.visit_entry(session, audit.id or 0)
    assert entry is not None
    assert (entry.status, entry.fee, entry.reimbursement, entry.amount) == (
        EntryStatus.pending, Decimal("1500.00"), Decimal("2000.00"), Decimal("3500.00"))


def test_qa_adjusting_the_receipt_with_a_reason_sets_what_approval_pays(session: Session) -> None:
    audit = submitted_visit(session, paid="2500.00")
    qa = make_user(session, Role.qa_lead)

    receipts.decide_receipt(session, audit=audit, reviewer=qa, decision="adjust", amount="1999.99",
                            reason="The receipt shows 1999.99")
    approve(session, audit, qa)

    entry = ledger.visit_entry(session, audit.id or 0)
    assert entry is not None
    assert (entry.status, entry.reimbursement, entry.amount) == (
        EntryStatus.approved, Decimal("1999.99"), Decimal("3499.99"))


def test_adjusting_without_a_reason_is_refused(session: Session) -> None:
    audit = submitted_visit(session)

    with pytest.raises(receipts.ReasonNeeded):
        receipts.decide_receipt(session, audit=audit, reviewer=make_user(session, Role.qa_lead),
                                decision="adjust", amount="100.00")


def test_above_the_limit_is_not_reimbursed_without_the_override(session: Session) -> None:
    audit = submitted_visit(session, wave=paid_wave(session, limit="2000.00"), paid="2500.00")
    qa = make_user(session, Role.qa_lead)

    accepted = receipts.decide_receipt(session, audit=audit, reviewer=qa, decision="accept")
    accepted_amount = accepted.reimbursed
    with pytest.raises(receipts.AboveLimit):
        receipts.decide_receipt(session, audit=audit, reviewer=qa, decision="adjust", amount="2100.00",
                                reason="Paid for an extra test")
    overridden = receipts.decide_receipt(session, audit=audit, reviewer=qa, decision="accept",
                                         override_limit=True)

    assert accepted_amount == Decimal("2000.00")
    assert (overridden.reimbursed, overridden.over_limit) == (Decimal("2500.00"), True)


def test_a_refused_receipt_pays_only_the_fee(session: Session) -> None:
    audit = submitted_visit(session, wave=paid_wave(session, fee="1500.00"))
    qa = make_user(session, Role.qa_lead)

    receipts.decide_receipt(session, audit=audit, reviewer=qa, decision="refuse", reason="Not a receipt")
    approve(session, audit, qa)

    entry = ledger.visit_entry(session, audit.id or 0)
    assert entry is not None and entry.amount == Decimal("1500.00")


def test_an_undecided_receipt_is_accepted_up_to_the_limit_at_approval(session: Session) -> None:
    audit = submitted_visit(session, wave=paid_wave(session, fee="1000.00", limit="800.00"), paid="900.00")

    approve(session, audit)

    receipt = receipts.receipt_of(session, audit)
    entry = ledger.visit_entry(session, audit.id or 0)
    assert receipt is not None and (receipt.decision, receipt.reimbursed) == ("accepted", Decimal("800.00"))
    assert entry is not None and entry.amount == Decimal("1800.00")


def test_a_rejected_report_cancels_its_entry(session: Session) -> None:
    audit = submitted_visit(session)

    review.review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="reject",
                        reason="Not visited")

    entry = ledger.visit_entry(session, audit.id or 0)
    assert entry is not None and entry.status == EntryStatus.cancelled


def test_the_receipt_cannot_change_after_submission(session: Session) -> None:
    audit = submitted_visit(session)

    with pytest.raises(AuditNotEditable):
        receipts.attach_receipt(session, audit=audit, amount_paid="1.00", upload=io.BytesIO(PDF))


def test_a_file_that_is_neither_photo_nor_pdf_is_refused(session: Session) -> None:
    audit = make_audit(session)

    with pytest.raises(receipts.NotAReceipt):
        receipts.attach_receipt(session, audit=audit, amount_paid="10.00", upload=io.BytesIO(b"<html>hi</html>"))


def test_a_photo_receipt_is_stored_re_encoded_without_its_metadata(session: Session) -> None:
    audit = make_audit(session)

    receipt = receipts.attach_receipt(session, audit=audit, amount_paid="10.00",
                                      upload=io.BytesIO(picture(exif=gps_exif())))

    stored = read_all(get_storage(), receipt.stored_name)
    assert receipt.content_type == "image/jpeg" and b"Phone Camera X" not in stored


def test_a_truncated_pdf_is_refused(session: Session) -> None:
    audit = make_audit(session)

    with pytest.raises(receipts.NotAReceipt):
        receipts.attach_receipt(session, audit=audit, amount_paid="10.00", upload=io.BytesIO(PDF[:30]))
