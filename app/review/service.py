"""The review gate: a QA lead approves, returns (with item comments) or rejects a submitted audit.

Only approved audits count in reports. The decision is taken by one conditional UPDATE on the
audit's status, so two reviewers deciding at the same moment give exactly one decision.
"""

from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.actions import verification as actions_verification
from app.checklists.models import Item
from app.db_types import utcnow
from app.errors import Conflict, Invalid
from app.fieldwork.models import Answer, Audit, AuditStatus, Review, ReviewComment
from app.i18n import N_
from app.reports import tasks as report_tasks
from app.trail import service as trail
from app.trail.models import TrailEvent


class Decision(StrEnum):
    approve = "approve"
    return_ = "return"
    reject = "reject"


RESULTING_STATUS: dict[Decision, AuditStatus] = {
    Decision.approve: AuditStatus.approved,
    Decision.return_: AuditStatus.returned,
    Decision.reject: AuditStatus.rejected,
}

_ALREADY_DECIDED = {
    AuditStatus.approved: N_("This audit was already approved by {who} at {time}."),
    AuditStatus.returned: N_("This audit was already returned to the shopper by {who} at {time}."),
    AuditStatus.rejected: N_("This audit was already rejected by {who} at {time}."),
}


class NotSubmitted(Conflict):
    message = N_("This audit is not submitted (it is a draft): there is nothing to decide yet.")


class AlreadyDecided(Conflict):
    message = N_("This audit was already decided.")


class UnknownDecision(Invalid):
    message = N_("Unknown decision {decision}: use approve, return or reject.")


class CommentsRequired(Invalid):
    message = N_("To return an audit, write a comment on at least one item or a reason.")


class ReasonRequired(Invalid):
    message = N_("To reject an audit, give the reason (for example, the shopper was recognised).")


class UnknownItems(Invalid):
    message = N_("The checklist of this audit has no item {keys}.")


def _refuse(session: Session, audit: Audit) -> Conflict:
    """The 409 that says what happened to the audit, read fresh from the database."""
    status, decided_at, decided_by_id = session.exec(
        select(Audit.status, Audit.decided_at, Audit.decided_by_id).where(Audit.id == audit.id)).one()
    status = AuditStatus(status)
    if status in _ALREADY_DECIDED:
        who = session.get(User, decided_by_id) if decided_by_id else None
        time = decided_at.strftime("%H:%M UTC") if decided_at else "?"
        name = (who.name or who.email) if who else "?"
        return AlreadyDecided(_ALREADY_DECIDED[status], who=name, time=time)
    return NotSubmitted()


def _items_by_key(session: Session, audit: Audit, keys: list[str]) -> dict[str, Item]:
    """The audit's checklist items for the given keys. Raises UnknownItems listing every bad key."""
    if not keys:
        return {}
    found = session.exec(select(Item).where(Item.version_id == audit.checklist_version_id,
                                            col(Item.key).in_(keys))).all()
    items = {item.key: item for item in found}
    unknown = [key for key in keys if key not in items]
    if unknown:
        raise UnknownItems(keys=", ".join(unknown),
                           detail=[{"key": key, "message": "unknown item"} for key in unknown])
    return items


def review_audit(session: Session, *, audit: Audit, reviewer: User, decision: str,
                 comments: dict[str, str] | None = None, reason: str = "") -> Review:
    """Decide a submitted audit and record the decision (Review, item comments, trail event).

    approve → approved (counts in reports); return → returned, needs an item comment or a reason;
    reject → rejected, needs a reason. Empty comments are ignored.
    Raises UnknownDecision, CommentsRequired, ReasonRequired, UnknownItems (422); NotSubmitted or
    AlreadyDecided (409) when the audit is not, or no longer, waiting for a decision.
    """
    try:
        chosen = Decision(decision)
    except ValueError:
        raise UnknownDecision(decision=decision) from None
    if audit.status != AuditStatus.submitted:
        raise _refuse(session, audit)
    texts = {key.strip(): text.strip() for key, text in (comments or {}).items() if text and text.strip()}
    reason = reason.strip()
    if chosen == Decision.return_ and not texts and not reason:
        raise CommentsRequired()
    if chosen == Decision.reject and not reason:
        raise ReasonRequired()
    items = _items_by_key(session, audit, list(texts))

    now = utcnow()
    status = RESULTING_STATUS[chosen]
    # The guard: only the first decision finds the audit still 'submitted'.
    result = session.exec(  # type: ignore[call-overload]
        update(Audit).where(col(Audit.id) == audit.id, col(Audit.status) == AuditStatus.submitted)
        .values(status=status, decided_at=now, decided_by_id=reviewer.id, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _refuse(session, audit)
    session.refresh(audit)

    review = Review(audit_id=audit.id or 0, reviewer_id=reviewer.id or 0, decision=chosen.value,
                    reason=reason, submission_number=audit.submission_count, created_at=now)
    session.add(review)
    session.flush()
    session.add_all([ReviewComment(review_id=review.id or 0, audit_id=audit.id or 0, item_id=items[key].id,
                                   text=text) for key, text in texts.items()])
    # A returned audit keeps the answers as they were, so the next review can show old → new.
    answered = answers_snapshot(session, audit) if chosen == Decision.return_ else {}
    trail.record(session, actor=reviewer, verb=f"audit.{chosen.value}", entity="audit", entity_id=audit.id,
                 review_id=review.id, submission=audit.submission_count, reason=reason, comments=texts,
                 **({"answers": answered} if chosen == Decision.return_ else {}))
    if status == AuditStatus.approved:
        # Reports read stored scores; a worker stores them (reports score what is not stored yet themselves).
        session.flush()
        report_tasks.schedule_scores([audit.id or 0])
        actions_verification.on_audit_approved(session, audit)
    session.flush()
    return review


def answers_snapshot(session: Session, audit: Audit) -> dict[str, list[Any]]:
    """The audit's answers as {item_key: [value_num, value_text, na]} (JSON for the trail)."""
    query = (select(Item.key, Answer.value_num, Answer.value_text, Answer.na)
             .join(Item, col(Answer.item_id) == Item.id).where(Answer.audit_id == audit.id))
    return {key: [num, text, bool(na)] for key, num, text, na in session.exec(query).all()}


def returned_answers(session: Session, audit: Audit, review: Review) -> dict[str, list[Any]]:
    """The answers as they were when `review` returned the audit ({} for other decisions, or for
    returns recorded before snapshots were kept)."""
    events = session.exec(select(TrailEvent).where(TrailEvent.verb == "audit.return", TrailEvent.entity == "audit",
                                                   TrailEvent.entity_id == audit.id)).all()
    for event in events:
        if (event.detail or {}).get("review_id") == review.id:
            return dict(event.detail.get("answers") or {})
    return {}


def comments_of(session: Session, review: Review) -> dict[str, str]:
    """A review's item comments as {item_key: text}, in checklist order."""
    query = (select(Item.key, ReviewComment.text).join(Item, col(ReviewComment.item_id) == Item.id)
             .where(ReviewComment.review_id == review.id)
             .order_by(col(Item.touchpoint_id), col(Item.position)))
    return {key: text for key, text in session.exec(query).all()}


def reviews_of(session: Session, audit_id: int) -> list[Review]:
    """Every decision on the audit, oldest first."""
    query = select(Review).where(Review.audit_id == audit_id).order_by(col(Review.created_at), col(Review.id))
    return list(session.exec(query).all())
