"""Receipts: the shopper attaches what they paid for the consultation (photo or PDF) and the amount;
QA accepts, adjusts (with a reason) or refuses it at review. The part above the visit's limit is not
reimbursed unless QA explicitly overrides the limit (docs/money.md).

Files are hostile until proven otherwise, as evidence is: spooled under the size limit, the type
sniffed from the bytes, photos re-encoded without metadata (GPS!), PDFs kept as sent but only ever
served as a download with a sandboxing policy.
"""

from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.db_types import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.fieldwork import media
from app.fieldwork.audits import ensure_editable
from app.fieldwork.models import Assignment, Audit, AuditStatus
from app.fieldwork.uploads import spool
from app.i18n import N_
from app.money import terms
from app.money.amounts import ZERO, to_amount
from app.money.models import Receipt, ReceiptDecision
from app.trail import service as trail

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
HEAD_BYTES = 64


class NotAReceipt(Invalid):
    message = N_("A receipt must be a photo (JPEG, PNG, WebP) or a PDF.")


class ReceiptFileMissing(Invalid):
    message = N_("Attach a photo or PDF of the receipt.")


class ReceiptNotFound(NotFound):
    message = N_("There is no receipt for this visit.")


class ReasonNeeded(Invalid):
    message = N_("Give the reason for adjusting or refusing the receipt.")


class AboveLimit(Invalid):
    message = N_("{amount} is above the visit's reimbursement limit of {limit}: tick the override to pay it.")


class UnknownReceiptDecision(Invalid):
    message = N_("Unknown receipt decision {decision}: use accept, adjust or refuse.")


class ReceiptClosed(Conflict):
    message = N_("The receipt can only be decided while the report waits for review.")


def receipt_of(session: Session, audit: Audit) -> Receipt | None:
    return session.exec(select(Receipt).where(Receipt.audit_id == audit.id)).first()


def attach_receipt(session: Session, *, audit: Audit, amount_paid: object, upload: BinaryIO | None,
                   actor: User | None = None) -> Receipt:
    """Store the receipt of an editable audit with the amount paid; a new file replaces the old one,
    no file keeps it and changes only the amount.

    Raises AuditNotEditable (409), NotAnAmount, ReceiptFileMissing, NotAReceipt, PictureTooLarge,
    UnreadablePicture (422), TooLarge (413).
    """
    ensure_editable(audit)
    amount = to_amount(amount_paid)
    receipt = receipt_of(session, audit)
    if upload is None and receipt is None:
        raise ReceiptFileMissing()
    stored: tuple[str, str, int, str] | None = None
    if upload is not None:
        temp = spool(upload, media.scratch_dir())
        try:
            stored = _store(temp)
        finally:
            temp.unlink(missing_ok=True)
    old_name = None
    if receipt is None:
        assert stored is not None
        receipt = Receipt(audit_id=audit.id or 0, stored_name=stored[0], content_type=stored[1],
                          size_bytes=stored[2], sha256=stored[3], amount_paid=amount)
    else:
        if stored is not None:
            old_name = receipt.stored_name
            receipt.stored_name, receipt.content_type, receipt.size_bytes, receipt.sha256 = stored
        receipt.amount_paid = amount
        receipt.decision, receipt.reimbursed, receipt.over_limit, receipt.reason = None, None, False, ""
    session.add(receipt)
    session.flush()
    trail.record(session, actor=actor, verb="receipt.attach", entity="audit", entity_id=audit.id,
                 receipt_id=receipt.id, amount_paid=str(amount), new_file=stored is not None)
    if old_name:
        @event.listens_for(session, "after_commit", once=True)
        def _remove_old(_session: Session) -> None:
            media.remove_files(old_name)
    return receipt


def _store(temp: Path) -> tuple[str, str, int, str]:
    """(stored name, content type, size, sha256) of a sniffed receipt file, kept in the media storage.
    Raises NotAReceipt, StorageDown."""
    with temp.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(PDF_MAGIC):
        if not _ends_like_pdf(temp):
            raise NotAReceipt()
        kept = media.keep_file(temp, extension="pdf", content_type="application/pdf")
        return kept.name, "application/pdf", kept.size_bytes, kept.sha256
    try:
        kind = media.sniff(head)
    except media.NotAllowedFile:
        raise NotAReceipt() from None
    if kind.kind != "photo":
        raise NotAReceipt()
    photo = media.store_photo(temp)
    media.remove_files(photo.thumb_name)  # a receipt is read whole, never as a thumbnail
    return photo.name, "image/jpeg", photo.size_bytes, photo.sha256


def _ends_like_pdf(path: Path) -> bool:
    """A whole PDF ends with %%EOF (within its last kilobyte): a truncated upload or a file that only
    borrows the header is refused."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        return PDF_END in handle.read()


def reimbursable(receipt: Receipt | None, limit: Decimal) -> Decimal:
    """What the receipt pays back: QA's decision once taken; before that the amount paid up to the
    limit (what accepting it would give)."""
    if receipt is None:
        return ZERO
    if receipt.decision is not None and receipt.reimbursed is not None:
        return receipt.reimbursed
    return min(receipt.amount_paid, limit)


def decide_receipt(session: Session, *, audit: Audit, reviewer: User, decision: str,
                   amount: object | None = None, reason: str = "", override_limit: bool = False) -> Receipt:
    """QA's decision on the receipt of a submitted report.

    accept: the amount paid, up to the limit; adjust: the given amount, with a reason; refuse:
    nothing, with a reason. More than the limit only with override_limit.
    Raises ReceiptNotFound (404), ReceiptClosed (409), UnknownReceiptDecision, ReasonNeeded,
    NotAnAmount, AboveLimit (422).
    """
    receipt = receipt_of(session, audit)
    if receipt is None:
        raise ReceiptNotFound()
    if audit.status != AuditStatus.submitted:
        raise ReceiptClosed()
    try:
        chosen = ReceiptDecision({"accept": "accepted", "adjust": "adjusted", "refuse": "refused"}[decision])
    except KeyError:
        raise UnknownReceiptDecision(decision=decision) from None
    reason = reason.strip()
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None
    limit = terms.terms_of(session, assignment).reimbursement_limit
    if chosen == ReceiptDecision.accepted:
        wanted = receipt.amount_paid
        reimbursed = wanted if override_limit else min(wanted, limit)
    elif chosen == ReceiptDecision.adjusted:
        if not reason:
            raise ReasonNeeded()
        reimbursed = to_amount(amount if amount not in (None, "") else "x")
        if reimbursed > limit and not override_limit:
            raise AboveLimit(amount=str(reimbursed), limit=str(limit))
    else:
        if not reason:
            raise ReasonNeeded()
        reimbursed = ZERO
    receipt.decision, receipt.reimbursed, receipt.reason = chosen.value, reimbursed, reason
    receipt.over_limit = reimbursed > limit
    receipt.decided_by_id, receipt.decided_at = reviewer.id, utcnow()
    session.add(receipt)
    session.flush()
    trail.record(session, actor=reviewer, verb=f"receipt.{chosen.value}", entity="audit", entity_id=audit.id,
                 receipt_id=receipt.id, reimbursed=str(reimbursed), limit=str(limit), reason=reason,
                 override=receipt.over_limit)
    return receipt


def accept_if_undecided(session: Session, *, audit: Audit, reviewer: User, limit: Decimal) -> Receipt | None:
    """At approval, a receipt QA did not decide on is accepted: the amount paid up to the limit."""
    receipt = receipt_of(session, audit)
    if receipt is None or receipt.decision is not None:
        return receipt
    receipt.decision, receipt.reimbursed = ReceiptDecision.accepted.value, min(receipt.amount_paid, limit)
    receipt.decided_by_id, receipt.decided_at = reviewer.id, utcnow()
    session.add(receipt)
    trail.record(session, actor=reviewer, verb="receipt.accepted", entity="audit", entity_id=audit.id,
                 receipt_id=receipt.id, reimbursed=str(receipt.reimbursed), limit=str(limit), at_approval=True)
    return receipt


def viewable_receipt(session: Session, *, user: User, receipt_id: int) -> Receipt:
    """The receipt for its own shopper, QA or an admin. Raises ReceiptNotFound for anyone else."""
    receipt = session.get(Receipt, receipt_id)
    audit = session.get(Audit, receipt.audit_id) if receipt else None
    if receipt is None or audit is None:
        raise ReceiptNotFound()
    if user.role in (Role.qa_lead, Role.admin) or (user.role == Role.shopper and audit.shopper_id == user.id):
        return receipt
    raise ReceiptNotFound()
