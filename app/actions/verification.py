"""Red to green, driven by the audits: an approved audit verifies the fixes it confirms and reopens
the verified ones it finds broken again.

An item PASSES in an audit when its score s (docs/design.md §5, the same SQL expression as the reports) is
1 for 0/1 items (yes_no, number), and at or above the touchpoint's target / 100 for scale and choice
items (a touchpoint without its own target uses the checklist's). Items the audit did not answer,
marked N/A, or that are not scored neither verify nor reopen anything.

- A `done` action is VERIFIED by an approved audit of its clinic whose visit (visit_started_at,
  else submitted_at) is after the action's done_at, when every covered item the audit scored passes
  and it scored at least one. A failing covered item leaves it done (still awaiting a good visit).
- A `verified` action REOPENS (status `open`, regressions + 1, event "regression") when an approved
  audit whose visit is after the verifying audit's visit fails one of its covered items.
"""

from datetime import UTC, datetime

from sqlalchemy import Float, and_, case, cast, false, func, literal, select
from sqlmodel import Session, col

from app import events
from app.actions.models import Action, ActionEvent, ActionItem, ActionStatus
from app.checklists.models import ChecklistVersion
from app.checklists.schema import BINARY_TYPES, SCORED_TYPES
from app.db_types import utcnow
from app.fieldwork.models import Audit, AuditStatus
from app.reports import lookups
from app.reports.queries import answers, item_score, items, options, touchpoints, versions


def visit_time(audit: Audit) -> datetime | None:
    """When the visit happened: its start, else the submission."""
    moment = audit.visit_started_at or audit.submitted_at
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _renames(session: Session, checklist_id: int) -> dict[str, str]:
    rows = session.execute(select(ChecklistVersion).where(
        col(ChecklistVersion.checklist_id) == checklist_id)).scalars().all()
    return lookups.followed_renames(list(rows))


def item_results(session: Session, audit: Audit) -> dict[str, bool]:
    """Pass (True) or fail (False) per scored, answered, not-N/A item of the audit, keyed by the
    item's newest key (renames followed). One query."""
    s = item_score()
    target = func.coalesce(touchpoints.c.target, versions.c.target) / 100.0
    binary = [str(t) for t in BINARY_TYPES]
    passed = case((items.c.type.in_(binary), case((s >= 1.0, literal(1)), else_=literal(0))),
                  else_=case((s >= cast(target, Float) - 1e-9, literal(1)), else_=literal(0)))
    query = (select(items.c.key, passed.label("passed"))
             .select_from(answers)
             .join(items, items.c.id == answers.c.item_id)
             .join(touchpoints, touchpoints.c.id == items.c.touchpoint_id)
             .join(versions, versions.c.id == items.c.version_id)
             .outerjoin(options, and_(options.c.item_id == items.c.id, options.c.key == answers.c.value_text))
             .where(answers.c.audit_id == audit.id, answers.c.na.is_(false()) | answers.c.na.is_(None),
                    items.c.type.in_([str(t) for t in SCORED_TYPES]), s.is_not(None)))
    version = session.get(ChecklistVersion, audit.checklist_version_id)
    renames = _renames(session, version.checklist_id) if version else {}
    return {renames.get(key, key): bool(flag) for key, flag in session.execute(query).all()}


def on_audit_approved(session: Session, audit: Audit) -> list[Action]:
    """Verify or reopen the clinic's actions the approved audit speaks about; returns those changed.

    Called by the review gate right after an approval (and by the demo, in visit order)."""
    if audit.status != AuditStatus.approved:
        return []
    visited = visit_time(audit)
    if visited is None:
        return []
    version = session.get(ChecklistVersion, audit.checklist_version_id)
    candidates = session.execute(select(Action).where(
        col(Action.clinic_id) == audit.clinic_id,
        col(Action.status).in_([ActionStatus.done, ActionStatus.verified]))).scalars().all()
    candidates = [a for a in candidates if a.checklist_id in (None, version.checklist_id if version else None)]
    if not candidates:
        return []
    covered: dict[int, list[str]] = {}
    for row in session.execute(select(ActionItem).where(
            col(ActionItem.action_id).in_([a.id for a in candidates]))).scalars().all():
        covered.setdefault(row.action_id, []).append(row.item_key)
    results = item_results(session, audit)
    at = audit.decided_at or utcnow()
    changed = []
    for action in candidates:
        seen = [results[key] for key in covered.get(action.id or 0, []) if key in results]
        if not seen:
            continue
        if action.status == ActionStatus.done and _after(visited, action.done_at) and all(seen):
            _verify(session, action, audit, at)
            changed.append(action)
        elif action.status == ActionStatus.verified and not all(seen) and action.verified_by_audit_id != audit.id:
            proof = session.get(Audit, action.verified_by_audit_id) if action.verified_by_audit_id else None
            proof_visit = visit_time(proof) if proof else None
            if proof_visit is None or visited > proof_visit:
                _reopen(session, action, audit, at)
                changed.append(action)
    session.flush()
    return changed


def _after(visited: datetime, done_at: datetime | None) -> bool:
    if done_at is None:
        return False
    return visited > (done_at.replace(tzinfo=UTC) if done_at.tzinfo is None else done_at)


def _verify(session: Session, action: Action, audit: Audit, at: datetime) -> None:
    session.add(ActionEvent(action_id=action.id or 0, actor_id=None, at=at, field="status", old=action.status,
                            new=ActionStatus.verified, audit_id=audit.id))
    action.status = ActionStatus.verified
    action.verified_at = at
    action.verified_by_audit_id = audit.id
    action.updated_at = at
    session.add(action)
    events.publish(session, events.ActionVerified(action_id=action.id or 0, audit_id=audit.id or 0))


def _reopen(session: Session, action: Action, audit: Audit, at: datetime) -> None:
    session.add(ActionEvent(action_id=action.id or 0, actor_id=None, at=at, field="regression",
                            old=action.status, new=ActionStatus.open, audit_id=audit.id))
    action.status = ActionStatus.open
    action.regressions += 1
    action.done_at = None
    action.verified_at = None
    action.verified_by_audit_id = None
    action.updated_at = at
    session.add(action)
    events.publish(session, events.ActionReopened(action_id=action.id or 0, audit_id=audit.id or 0))
