"""What the shopper's phone keeps for working with no network: the pages of the open visits.

An open visit is a live assignment whose audit can still be changed (draft, or returned by QA).
Submitted and decided visits are not kept: there is nothing left to fill in.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists import versions as checklists
from app.fieldwork.assignments import VISIT_ORDER
from app.fieldwork.audits import EDITABLE
from app.fieldwork.models import Assignment, Audit, Evidence

# At most this many open visits are kept, the soonest due first (undated last, then creation). Safe:
# a shopper does a few visits a day and the phone reads the manifest again on the pages it opens online,
# so the ones beyond the cap (due weeks later) are kept once the sooner ones are submitted; each kept
# visit is some ten pages on the phone, and a cap keeps the worker's download and the phone's storage
# bounded whatever a shopper was given. Only open visits are read: thousands of submitted ones cost
# nothing here.
MAX_KEPT_VISITS = 100


@dataclass(frozen=True)
class OpenVisit:
    audit_id: int
    touchpoint_keys: list[str]
    thumb_ids: list[int]  # evidence with a thumbnail, shown on the form screens


def open_visits(session: Session, *, shopper: User) -> list[OpenVisit]:
    """The shopper's editable audits (at most MAX_KEPT_VISITS, soonest due first) with their touchpoints
    and photo thumbnails: one query for the audits, one for the thumbnails."""
    query = (select(Audit).join(Assignment, col(Assignment.id) == Audit.assignment_id)
             .where(Assignment.shopper_id == shopper.id, col(Assignment.cancelled_at).is_(None),
                    col(Audit.status).in_(sorted(EDITABLE)))
             .order_by(*(key.ordered() for key in VISIT_ORDER))
             .limit(MAX_KEPT_VISITS))
    audits = list(session.exec(query).all())
    thumbs: dict[int, list[int]] = {}
    if audits:
        thumbs_query = (select(Evidence.audit_id, Evidence.id)
                        .where(col(Evidence.audit_id).in_([a.id for a in audits]),
                               col(Evidence.thumb_name).is_not(None))
                        .order_by(col(Evidence.id)))
        for audit_id, evidence_id in session.exec(thumbs_query).all():
            thumbs.setdefault(audit_id, []).append(evidence_id or 0)
    return [OpenVisit(audit.id or 0, [tp.key for tp in checklists.touchpoints_of(session, audit.checklist_version_id)],
                      thumbs.get(audit.id or 0, [])) for audit in audits]
