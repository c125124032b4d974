"""`POST /api/v1/audits/{id}/review`: the review gate for scripts and integrations."""

from fastapi import APIRouter

from app.accounts.deps import QaUser
from app.db import SessionDep
from app.review import service
from app.review.deps import AuditById
from app.review.schemas import ReviewRead, ReviewRequest

router = APIRouter(prefix="/api/v1", tags=["review"])


@router.post("/audits/{audit_id}/review", response_model=ReviewRead,
             responses={404: {}, 409: {"description": "not submitted, or already decided"},
                        422: {"description": "missing comment or reason, unknown item"}})
def review_audit(user: QaUser, audit: AuditById, body: ReviewRequest, session: SessionDep) -> ReviewRead:
    review = service.review_audit(session, audit=audit, reviewer=user, decision=body.decision,
                                  comments=body.comments, reason=body.reason,
                                  reason_code=body.reason_code)
    return ReviewRead(id=audit.id or 0, status=audit.status, decision=review.decision,
                      review_id=review.id or 0, submission_number=review.submission_number,
                      decided_at=audit.decided_at, decided_by=user.email, reason=review.reason,
                      comments=service.comments_of(session, review))
