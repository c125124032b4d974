"""What each domain event tells whom (docs/notifications.md §Events). Registered once at start-up
by `register()`; every handler runs in the transaction of the change it reports."""

from typing import Any

from sqlmodel import Session, col, select

from app import events
from app.actions.models import Action
from app.checklists.models import ChecklistVersion, Item
from app.clinics.models import Clinic
from app.fieldwork.models import Assignment, Audit, Review, Wave
from app.notifications import recipients
from app.notifications.events import Event
from app.notifications.service import notify
from app.reports.models import ScoredAudit
from app.settings import get_settings


def visit_params(session: Session, assignment: Assignment) -> dict[str, Any]:
    clinic = session.get(Clinic, assignment.clinic_id)
    wave = session.get(Wave, assignment.wave_id)
    return {"clinic": clinic.name if clinic else "", "wave": wave.name if wave else "",
            "window_start": assignment.window_start.isoformat() if assignment.window_start else None,
            "window_end": assignment.window_end.isoformat() if assignment.window_end else None}


def _audit_link(session: Session, assignment_id: int) -> str:
    audit_id = session.exec(select(Audit.id).where(Audit.assignment_id == assignment_id)).first()
    return f"/visits/{audit_id}" if audit_id else "/visits"


def on_assignment_made(session: Session, event: events.AssignmentMade) -> None:
    assignment = session.get(Assignment, event.assignment_id)
    if assignment is None:
        return
    notify(session, users=recipients.user(session, assignment.shopper_id), event=Event.visit_assigned,
           key=f"assignment:{assignment.id}:{assignment.shopper_id}", params=visit_params(session, assignment),
           link=_audit_link(session, assignment.id or 0))


def on_assignment_reassigned(session: Session, event: events.AssignmentReassigned) -> None:
    assignment = session.get(Assignment, event.assignment_id)
    if assignment is None:
        return
    params = visit_params(session, assignment)
    notify(session, users=recipients.user(session, event.old_shopper_id), event=Event.visit_changed,
           key=f"assignment:{assignment.id}:{event.old_shopper_id}", params=params, link="/visits")
    notify(session, users=recipients.user(session, assignment.shopper_id), event=Event.visit_assigned,
           key=f"assignment:{assignment.id}:{assignment.shopper_id}", params=params,
           link=_audit_link(session, assignment.id or 0))


def on_assignment_cancelled(session: Session, event: events.AssignmentCancelled) -> None:
    assignment = session.get(Assignment, event.assignment_id)
    if assignment is None:
        return
    notify(session, users=recipients.user(session, assignment.shopper_id), event=Event.visit_cancelled,
           key=f"assignment:{assignment.id}", params=visit_params(session, assignment), link="/visits")


def on_audit_returned(session: Session, event: events.AuditReturned) -> None:
    audit = session.get(Audit, event.audit_id)
    assignment = session.get(Assignment, audit.assignment_id) if audit else None
    if audit is None or assignment is None:
        return
    texts = dict(session.exec(select(Item.key, Item.text).where(Item.version_id == audit.checklist_version_id,
                                                                col(Item.key).in_(list(event.comments)))).all())
    review = session.exec(select(Review).where(Review.audit_id == audit.id)
                          .order_by(col(Review.id).desc())).first()
    params = {**visit_params(session, assignment), "reason": review.reason if review else "",
              "comments": [{"item": texts.get(key, key), "comment": text} for key, text in event.comments.items()]}
    notify(session, users=recipients.user(session, audit.shopper_id), event=Event.report_returned,
           key=f"audit:{audit.id}:return:{audit.submission_count}", params=params, link=f"/visits/{audit.id}")


def on_audit_approved(session: Session, event: events.AuditApproved) -> None:
    """An alert, once per report, when a branch failed a critical item or scored well under target."""
    audit = session.get(Audit, event.audit_id)
    clinic = session.get(Clinic, audit.clinic_id) if audit else None
    version = session.get(ChecklistVersion, audit.checklist_version_id) if audit else None
    if audit is None or clinic is None or version is None or clinic.is_competitor:
        return
    scored = session.get(ScoredAudit, audit.id)
    if scored is None:
        from app.reports import score_store  # approval normally stored them; a job may not have yet

        score_store.store_audit_scores(session, audit=audit)
        scored = session.get(ScoredAudit, audit.id)
    if scored is None:
        return
    low = scored.score is not None and scored.score < version.target - get_settings().alert_below_target_points
    if not (scored.flagged or low):
        return
    wave = session.get(Wave, audit.wave_id)
    params = {"clinic": clinic.name, "wave": wave.name if wave else "", "critical": bool(scored.flagged),
              "score": scored.score, "target": version.target}
    notify(session, users=recipients.clinic_readers(session, clinic.id or 0), event=Event.report_alert,
           key=f"audit:{audit.id}", params=params, link=f"/reports/clinics/{clinic.id}?wave={audit.wave_id}")


def action_params(session: Session, action: Action) -> dict[str, Any]:
    clinic = session.get(Clinic, action.clinic_id)
    return {"action": action.title, "clinic": clinic.name if clinic else "",
            "due_on": action.due_on.isoformat() if action.due_on else None}


def on_action_assigned(session: Session, event: events.ActionAssigned) -> None:
    action = session.get(Action, event.action_id)
    if action is None or action.owner_id == event.actor_id:
        return
    notify(session, users=recipients.user(session, action.owner_id), event=Event.action_assigned,
           key=f"action:{action.id}:{event.occurrence}", params=action_params(session, action),
           link=f"/actions/{action.id}")


def _on_action_checked(kind: Event) -> Any:
    def handle(session: Session, event: events.ActionVerified | events.ActionReopened) -> None:
        action = session.get(Action, event.action_id)
        if action is None:
            return
        notify(session, users=recipients.user(session, action.owner_id), event=kind,
               key=f"action:{action.id}:audit:{event.audit_id}", params=action_params(session, action),
               link=f"/actions/{action.id}")
    return handle


on_action_verified = _on_action_checked(Event.action_verified)
on_action_reopened = _on_action_checked(Event.action_reopened)


def register() -> None:
    events.subscribe(events.AssignmentMade, on_assignment_made)
    events.subscribe(events.AssignmentReassigned, on_assignment_reassigned)
    events.subscribe(events.AssignmentCancelled, on_assignment_cancelled)
    events.subscribe(events.AuditReturned, on_audit_returned)
    events.subscribe(events.AuditApproved, on_audit_approved)
    events.subscribe(events.ActionAssigned, on_action_assigned)
    events.subscribe(events.ActionVerified, on_action_verified)
    events.subscribe(events.ActionReopened, on_action_reopened)
