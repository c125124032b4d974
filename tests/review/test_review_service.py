import pytest
from sqlmodel import Session, select

from app.accounts.models import Role
from app.fieldwork.models import AuditStatus, ReviewComment
from app.review import service
from app.review.service import (
    AlreadyDecided,
    CommentsRequired,
    NotSubmitted,
    ReasonRequired,
    UnknownDecision,
    UnknownItems,
    review_audit,
)
from app.trail import service as trail
from tests.factories import make_user
from tests.review.builders import make_draft, make_submitted, submit


def test_approving_a_submitted_audit_records_who_and_when(session: Session) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead, name="Olga")

    review = review_audit(session, audit=audit, reviewer=qa, decision="approve")

    assert audit.status == AuditStatus.approved
    assert audit.decided_by_id == qa.id and audit.decided_at is not None
    assert (review.decision, review.submission_number, review.reviewer_id) == ("approve", 1, qa.id)
    events = trail.events_for(session, entity="audit", entity_id=audit.id or 0)
    assert [e.verb for e in events] == ["audit.approve"]


def test_returning_keeps_a_comment_per_item_and_puts_them_in_the_trail(session: Session) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)

    review = review_audit(session, audit=audit, reviewer=qa, decision="return",
                          comments={"reception.wait": "Which minute did you arrive?", "call.greeting": "  "})

    assert audit.status == AuditStatus.returned
    rows = session.exec(select(ReviewComment).where(ReviewComment.review_id == review.id)).all()
    assert [r.text for r in rows] == ["Which minute did you arrive?"]
    assert service.comments_of(session, review) == {"reception.wait": "Which minute did you arrive?"}
    event = trail.events_for(session, entity="audit", entity_id=audit.id or 0)[-1]
    assert event.verb == "audit.return"
    assert event.detail["comments"] == {"reception.wait": "Which minute did you arrive?"}


def test_returning_with_only_a_reason_is_allowed(session: Session) -> None:
    audit = make_submitted(session)

    review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="return",
                 reason="Photos are missing")

    assert audit.status == AuditStatus.returned


def test_returning_needs_a_comment_or_a_reason(session: Session) -> None:
    audit = make_submitted(session)

    with pytest.raises(CommentsRequired) as error:
        review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="return",
                     comments={"call.greeting": ""})

    assert error.value.status_code == 422
    session.refresh(audit)
    assert audit.status == AuditStatus.submitted


def test_rejecting_needs_a_reason(session: Session) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)

    with pytest.raises(ReasonRequired):
        review_audit(session, audit=audit, reviewer=qa, decision="reject", reason="   ")
    review = review_audit(session, audit=audit, reviewer=qa, decision="reject",
                          reason="The shopper was recognised")

    assert audit.status == AuditStatus.rejected
    assert review.reason == "The shopper was recognised"


def test_comments_on_items_the_checklist_does_not_have_are_refused(session: Session) -> None:
    audit = make_submitted(session)

    with pytest.raises(UnknownItems) as error:
        review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="return",
                     comments={"call.nope": "x", "reception.wait": "ok", "bad.key": "y"})

    assert error.value.status_code == 422
    assert [p["key"] for p in error.value.detail] == ["call.nope", "bad.key"]
    session.refresh(audit)
    assert audit.status == AuditStatus.submitted


def test_an_unknown_decision_is_refused(session: Session) -> None:
    audit = make_submitted(session)

    with pytest.raises(UnknownDecision):
        review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="maybe")


def test_a_draft_cannot_be_decided(session: Session) -> None:
    audit = make_draft(session)

    with pytest.raises(NotSubmitted) as error:
        review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="approve")

    assert error.value.status_code == 409


def test_a_second_decision_says_who_decided_first(session: Session) -> None:
    audit = make_submitted(session)
    first = make_user(session, Role.qa_lead, name="Olga")
    review_audit(session, audit=audit, reviewer=first, decision="approve")

    with pytest.raises(AlreadyDecided) as error:
        review_audit(session, audit=audit, reviewer=make_user(session, Role.qa_lead), decision="reject",
                     reason="late")

    assert error.value.status_code == 409
    text = error.value.text()
    assert "approved by Olga at" in text
    assert audit.decided_at is not None and audit.decided_at.strftime("%H:%M") in text


def test_resubmitted_audit_review_counts_the_submission(session: Session) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)
    review_audit(session, audit=audit, reviewer=qa, decision="return", reason="Add the photo")
    submit(session, audit, hours_after=30)

    review = review_audit(session, audit=audit, reviewer=qa, decision="approve")

    assert review.submission_number == 2
    assert [r.decision for r in service.reviews_of(session, audit.id or 0)] == ["return", "approve"]
