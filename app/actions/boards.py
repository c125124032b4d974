"""Boards of the action plan, scoped as reports are: per clinic and for the network, in four columns
(open, in progress, done awaiting a visit, verified), filtered by owner, touchpoint and overdue; and
"what we improved": the gaps an audit turned green in a period, with the audits that proved them.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.actions import service
from app.actions.models import Action, ActionEvent, ActionStatus
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Invalid
from app.i18n import N_, localized

COLUMNS = (ActionStatus.open, ActionStatus.in_progress, ActionStatus.done, ActionStatus.verified)


class BadPeriod(Invalid):
    message = N_("The period ends before it starts.")


@dataclass(frozen=True)
class BoardFilter:
    clinic_id: int | None = None
    status: str | None = None
    owner_id: int | None = None
    touchpoint: str | None = None
    overdue: bool = False


@dataclass
class Board:
    clinic: Clinic | None
    filters: BoardFilter
    columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    owners: list[User] = field(default_factory=list)
    touchpoints: dict[str, str] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.columns.values())


def is_overdue(action: Action, clinic: Clinic | None, now: datetime | None = None) -> bool:
    """Past its due date and not yet done: the due day is over at the clinic (its own time zone)."""
    if action.due_on is None or action.status not in service.OPEN_STATUSES:
        return False
    return action.due_on < time_zones.today_at(clinic, now or utcnow())


def list_actions(session: Session, *, user: User, filters: BoardFilter,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """The actions the user may see, filtered, overdue first then by due date; each row a dict with
    the action, its clinic, owner, covered items and overdue flag (the clinic's day at `now`).
    Raises ClinicNotFound (404) when a clinic outside the user's scope is asked for."""
    now = now or utcnow()
    visible = visible_clinic_ids(session, user)
    if filters.clinic_id is not None:
        service.acting_clinic(session, user=user, clinic_id=filters.clinic_id)
    query = (select(Action, Clinic, User).join(Clinic, col(Clinic.id) == Action.clinic_id)
             .join(User, col(User.id) == Action.owner_id))
    if visible is not None:
        query = query.where(col(Action.clinic_id).in_(list(visible) or [-1]))
    if filters.clinic_id is not None:
        query = query.where(Action.clinic_id == filters.clinic_id)
    if filters.status:
        query = query.where(Action.status == filters.status)
    if filters.owner_id:
        query = query.where(Action.owner_id == filters.owner_id)
    if filters.touchpoint:
        query = query.where(Action.touchpoint_key == filters.touchpoint)
    if filters.overdue:  # SQL keeps what may be overdue somewhere; each clinic's own day decides below
        query = query.where(col(Action.due_on) < time_zones.latest_today(now),
                            col(Action.status).in_(list(service.OPEN_STATUSES)))
    query = query.order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.id))
    rows = session.exec(query).all()
    covered = service.items_of(session, [a.id for a, _c, _u in rows if a.id is not None])
    found = [{"action": a, "clinic": c, "owner": u, "items": covered.get(a.id or 0, []),
              "overdue": is_overdue(a, c, now)} for a, c, u in rows]
    if filters.overdue:
        found = [r for r in found if r["overdue"]]
    found.sort(key=lambda r: not r["overdue"])  # stable: overdue first, each part by due date
    return found


def build_board(session: Session, *, user: User, filters: BoardFilter, now: datetime | None = None) -> Board:
    """The board in four columns, with the owners and touchpoints to filter by."""
    clinic = (service.acting_clinic(session, user=user, clinic_id=filters.clinic_id)
              if filters.clinic_id is not None else None)
    rows = list_actions(session, user=user, filters=filters, now=now)
    board = Board(clinic=clinic, filters=filters, columns={str(c): [] for c in COLUMNS})
    for row in rows:
        board.columns[row["action"].status].append(row)
    board.overdue = sum(1 for r in rows if r["overdue"])
    owner_ids = {r["action"].owner_id for r in rows}
    if clinic is not None:
        board.owners = service.eligible_owners(session, clinic)
    elif owner_ids:
        board.owners = list(session.exec(select(User).where(col(User.id).in_(owner_ids))).all())
    checklist_ids = {r["action"].checklist_id for r in rows} or {None}
    titles: dict[str, str] = {}
    for checklist_id in checklist_ids:
        for key, title in service.touchpoint_titles(session, checklist_id).items():
            titles.setdefault(key, localized(title) or key)
    if not titles:
        try:
            version = service.clinic_checklist(session, None)
            titles = {k: localized(t) or k for k, t in service.touchpoint_titles(session, version.checklist_id).items()}
        except Invalid:
            titles = {}
    board.touchpoints = titles
    return board


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def improved(session: Session, *, user: User, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    """Gaps turned green in [from, to] (verification events, dates inclusive, each clinic's own days):
    each with its action, clinic and the audit that proved it; counted per clinic and for the network."""
    if date_from and date_to and date_to < date_from:
        raise BadPeriod()
    visible = visible_clinic_ids(session, user)
    query = (select(ActionEvent, Action, Clinic).join(Action, col(Action.id) == ActionEvent.action_id)
             .join(Clinic, col(Clinic.id) == Action.clinic_id)
             .where(ActionEvent.field == "status", ActionEvent.new == ActionStatus.verified))
    if visible is not None:
        query = query.where(col(Action.clinic_id).in_(list(visible) or [-1]))
    # SQL takes a day more on each side (every zone's day lies within it); the clinic's day decides below.
    if date_from and date_from > date.min:
        query = query.where(col(ActionEvent.at) >= _midnight(date_from - timedelta(days=1)))
    if date_to and date_to < date.max - timedelta(days=1):  # "until the end of time" has no day after it
        query = query.where(col(ActionEvent.at) < _midnight(date_to + timedelta(days=2)))
    rows = session.exec(query.order_by(col(Clinic.name), col(ActionEvent.at))).all()
    per_clinic: dict[int, dict[str, Any]] = {}
    count = 0
    for event, action, clinic in rows:
        day = time_zones.local(event.at, clinic).date()
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        count += 1
        entry = per_clinic.setdefault(clinic.id or 0, {"clinic": clinic, "count": 0, "actions": []})
        entry["count"] += 1
        entry["actions"].append({"action": action, "at": time_zones.local(event.at, clinic), "audit_id": event.audit_id,
                                 "still_green": action.status == ActionStatus.verified})
    return {"from": date_from, "to": date_to, "count": count, "clinics": list(per_clinic.values())}


def counts_by_status(session: Session, *, clinic_id: int) -> dict[str, int]:
    """How many actions the clinic has in each status (one GROUP BY)."""
    query = (select(Action.status, func.count()).where(Action.clinic_id == clinic_id)
             .group_by(col(Action.status)))
    return {status: n for status, n in session.exec(query).all()}
