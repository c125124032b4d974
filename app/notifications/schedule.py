"""The scheduled checks (reminders, overdue, digests, closed waves), run hourly by the queue's
scheduler. Days are the clinic's own (its time zone); each reminder is keyed by what it is about,
so a check that runs again, or on two workers, never tells anyone twice."""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app.accounts import scope
from app.accounts.models import Role
from app.actions.models import Action, ActionStatus
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Assignment, Audit, AuditStatus, Wave
from app.notifications import recipients
from app.notifications.events import Event
from app.notifications.service import notify
from app.notifications.subscribers import action_params, visit_params
from app.reports.models import ScoredAudit
from app.settings import get_settings

OPEN_REPORT = (AuditStatus.draft, AuditStatus.returned)
DIGEST_HOUR = 7  # the QA digest goes out from 07:00, network time
WAVE_CLOSED_LOOKBACK = timedelta(days=14)  # a wave that ended longer ago is old news


def network_now(now: datetime) -> datetime:
    return time_zones.local(now, None)


def remind_closing_windows(session: Session, *, now: datetime) -> int:
    """Shoppers whose visit window closes within N days and whose report is not sent."""
    days = get_settings().reminder_window_days
    horizon = time_zones.latest_today(now) + timedelta(days=days)
    rows = session.exec(select(Assignment, Audit, Clinic).join(Audit, col(Audit.assignment_id) == Assignment.id)
                        .join(Clinic, col(Clinic.id) == Assignment.clinic_id)
                        .where(col(Assignment.cancelled_at).is_(None), col(Assignment.window_end).is_not(None),
                               col(Assignment.window_end) >= time_zones.earliest_today(now),
                               col(Assignment.window_end) <= horizon, col(Audit.status).in_(OPEN_REPORT))).all()
    told = 0
    for assignment, audit, clinic in rows:
        assert assignment.window_end is not None
        left = (assignment.window_end - time_zones.today_at(clinic, now)).days
        if 0 <= left <= days:
            told += len(notify(session, users=recipients.user(session, assignment.shopper_id),
                               event=Event.window_closing,
                               key=f"assignment:{assignment.id}:window:{assignment.window_end.isoformat()}",
                               params={**visit_params(session, assignment), "days": left},
                               link=f"/visits/{audit.id}"))
    return told


def send_qa_digest(session: Session, *, now: datetime) -> int:
    """Once a day from DIGEST_HOUR: reports waiting for review and visits past their window."""
    local = network_now(now)
    if local.hour < DIGEST_HOUR:
        return 0
    waiting, oldest = session.exec(select(func.count(), func.min(Audit.submitted_at))
                                   .where(Audit.status == AuditStatus.submitted)).one()
    late = sum(1 for assignment, clinic in session.exec(
        select(Assignment, Clinic).join(Audit, col(Audit.assignment_id) == Assignment.id)
        .join(Clinic, col(Clinic.id) == Assignment.clinic_id)
        .where(col(Assignment.cancelled_at).is_(None), col(Assignment.window_end) < time_zones.latest_today(now),
               col(Audit.status).in_(OPEN_REPORT))).all()
        if assignment.window_end and assignment.window_end < time_zones.today_at(clinic, now))
    if not waiting and not late:
        return 0
    day = local.date().isoformat()
    params = {"day": day, "waiting": int(waiting), "late": late,
              "oldest": oldest.astimezone(local.tzinfo).date().isoformat() if oldest else None}
    return len(notify(session, users=recipients.active_users(session, Role.qa_lead), event=Event.qa_digest,
                      key=f"digest:{day}", params=params, link="/review"))


def remind_actions(session: Session, *, now: datetime) -> int:
    """Owners of open actions due within N days, and of overdue ones (once per due date)."""
    days = get_settings().reminder_action_days
    rows = session.exec(select(Action, Clinic).join(Clinic, col(Clinic.id) == Action.clinic_id)
                        .where(col(Action.status).in_([ActionStatus.open, ActionStatus.in_progress]),
                               col(Action.due_on).is_not(None),
                               col(Action.due_on) <= time_zones.latest_today(now) + timedelta(days=days))).all()
    told = 0
    for action, clinic in rows:
        assert action.due_on is not None
        left = (action.due_on - time_zones.today_at(clinic, now)).days
        if left < 0:
            event, key = Event.action_overdue, f"action:{action.id}:overdue:{action.due_on.isoformat()}"
        elif left <= days:
            event, key = Event.action_due, f"action:{action.id}:due:{action.due_on.isoformat()}"
        else:
            continue
        told += len(notify(session, users=recipients.user(session, action.owner_id), event=event, key=key,
                           params=action_params(session, action), link=f"/actions/{action.id}"))
    return told


def announce_closed_waves(session: Session, *, now: datetime) -> int:
    """Directors and managers, once per wave after its last day: their clinics' results."""
    today = network_now(now).date()
    waves = session.exec(select(Wave).where(col(Wave.ends_on) < today,
                                            col(Wave.ends_on) >= today - WAVE_CLOSED_LOOKBACK)).all()
    told = 0
    for wave in waves:
        visited = session.exec(select(Clinic).join(Assignment, col(Assignment.clinic_id) == Clinic.id)
                               .where(Assignment.wave_id == wave.id, col(Assignment.cancelled_at).is_(None),
                                      col(Clinic.is_competitor).is_(False)).distinct()).all()
        scores: dict[int, list[float]] = defaultdict(list)
        for clinic_id, score in session.exec(select(ScoredAudit.clinic_id, ScoredAudit.score)
                                             .where(ScoredAudit.wave_id == wave.id)).all():
            if score is not None:
                scores[clinic_id].append(score)
        for user in recipients.active_users(session, Role.director, Role.manager):
            visible = scope.visible_clinic_ids(session, user)
            mine = [c for c in visited if visible is scope.ALL or c.id in visible]
            if not mine:
                continue
            summary = [{"name": c.name, "audits": len(scores[c.id or 0]),
                        "score": sum(scores[c.id or 0]) / len(scores[c.id or 0]) if scores[c.id or 0] else None}
                       for c in sorted(mine, key=lambda c: c.name)]
            told += len(notify(session, users=[user], event=Event.wave_closed, key=f"wave:{wave.id}",
                               params={"wave": wave.name, "ends_on": wave.ends_on.isoformat(), "clinics": summary},
                               link=f"/reports?wave={wave.id}"))
    return told


CHECKS = (remind_closing_windows, send_qa_digest, remind_actions, announce_closed_waves)


def run_checks(session: Session, *, now: datetime) -> dict[str, int]:
    """Every check once; returns how many people each told now. Does not commit."""
    return {check.__name__: check(session, now=now) for check in CHECKS}
