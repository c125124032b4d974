"""What the shopper's phone keeps for working with no network: the pages of every open visit.

An open visit is a live assignment whose audit can still be changed (draft, or returned by QA).
Submitted and decided visits are not kept: there is nothing left to fill in.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists import versions as checklists
from app.fieldwork import assignments
from app.fieldwork.audits import is_editable
from app.fieldwork.models import Evidence


@dataclass(frozen=True)
class OpenVisit:
    audit_id: int
    touchpoint_keys: list[str]
    thumb_ids: list[int]  # evidence with a thumbnail, shown on the form screens


def open_visits(session: Session, *, shopper: User) -> list[OpenVisit]:
    """The shopper's editable audits with their touchpoints and photo thumbnails (one query each)."""
    audits = [visit.audit for visit in assignments.visits(session, shopper=shopper) if is_editable(visit.audit)]
    thumbs: dict[int, list[int]] = {}
    if audits:
        query = (select(Evidence.audit_id, Evidence.id)
                 .where(col(Evidence.audit_id).in_([a.id for a in audits]), col(Evidence.thumb_name).is_not(None))
                 .order_by(col(Evidence.id)))
        for audit_id, evidence_id in session.exec(query).all():
            thumbs.setdefault(audit_id, []).append(evidence_id or 0)
    return [OpenVisit(audit.id or 0, [tp.key for tp in checklists.touchpoints_of(session, audit.checklist_version_id)],
                      thumbs.get(audit.id or 0, [])) for audit in audits]
