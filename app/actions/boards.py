"""Boards of the action plan, scoped as reports are: per clinic and for the network, in four columns
(open, in progress, done awaiting a visit, verified), filtered by owner, touchpoint and overdue; and
"what we improved": the gaps an audit turned green in a period, with the audits that proved them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, false, or_
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
from app.web.paging import Page, PageRequest, SortKey, bad_cursor, fetch_page

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
    columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # each column's first page
    pages: dict[str, Page[dict[str, Any]]] = field(default_factory=dict)  # the same, with its next cursor
    counts: dict[str, int] = field(default_factory=dict)  # every filtered action per status (COUNT)
    owners: list[User] = field(default_factory=list)
    touchpoints: dict[str, str] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def is_overdue(action: Action, clinic: Clinic | None, now: datetime | None = None) -> bool:
    """Past its due date and not yet done: the due day is over at the clinic (its own time zone)."""
    if action.due_on is None or action.status not in service.OPEN_STATUSES:
        return False
    return action.due_on < time_zones.today_at(clinic, now or utcnow())


def _order(today: Any) -> tuple[SortKey, ...]:
    """Overdue first, then by due date (undated last), then creation: all in SQL, so a page is a LIMIT.
    `today` is each clinic's own day as SQL (time_zones.today_in_sql)."""
    late = case((and_(col(Action.due_on) < today, col(Action.status).in_(list(service.OPEN_STATUSES))), 0), else_=1)
    return SortKey(late), SortKey(func.coalesce(col(Action.due_on), date.max)), SortKey(col(Action.id))


def _filtered(session: Session, query: Any, *, user: User, filters: BoardFilter, today: Any) -> Any:
    """`query` narrowed to the actions the user may see and the filters keep. Raises ClinicNotFound (404)
    when a clinic outside the user's scope is asked for."""
    visible = visible_clinic_ids(session, user)
    if filters.clinic_id is not None:
        service.acting_clinic(session, user=user, clinic_id=filters.clinic_id)
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
    if filters.overdue:
        query = query.where(col(Action.due_on) < today, col(Action.status).in_(list(service.OPEN_STATUSES)))
    return query


def _rows(session: Session, found: Sequence[Any], now: datetime) -> list[dict[str, Any]]:
    covered = service.items_of(session, [a.id for a, _c, _u in found if a.id is not None])
    return [{"action": a, "clinic": c, "owner": u, "items": covered.get(a.id or 0, []),
             "overdue": is_overdue(a, c, now)} for a, c, u in found]


def _with_clinic(query: Any) -> Any:
    """An actions query joined to each action's clinic: its zone decides "overdue" (today_in_sql)."""
    return query.select_from(Action).join(Clinic, col(Clinic.id) == Action.clinic_id)


def _actions_query(session: Session, *, user: User, filters: BoardFilter, today: Any) -> Any:
    query = (select(Action, Clinic, User).join(Clinic, col(Clinic.id) == Action.clinic_id)
             .join(User, col(User.id) == Action.owner_id))
    return _filtered(session, query, user=user, filters=filters, today=today)


def list_actions(session: Session, *, user: User, filters: BoardFilter,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """The actions the user may see, filtered, overdue first then by due date; each row a dict with
    the action, its clinic, owner, covered items and overdue flag (the clinic's day at `now`).
    Raises ClinicNotFound (404) when a clinic outside the user's scope is asked for."""
    now = now or utcnow()
    today = time_zones.today_in_sql(session, now)
    query = _actions_query(session, user=user, filters=filters, today=today)
    return _rows(session, session.exec(query.order_by(*(key.ordered() for key in _order(today)))).all(), now)


def actions_page(session: Session, *, user: User, filters: BoardFilter, page: PageRequest,
                 now: datetime | None = None) -> Page[dict[str, Any]]:
    """One page of `list_actions`, same order and rows. Raises ClinicNotFound, BadPage."""
    now = now or utcnow()
    return _page(session, user=user, filters=filters, page=page, now=now, today=time_zones.today_in_sql(session, now))


def _page(session: Session, *, user: User, filters: BoardFilter, page: PageRequest, now: datetime,
          today: Any) -> Page[dict[str, Any]]:
    found = fetch_page(session, _actions_query(session, user=user, filters=filters, today=today),
                       order=_order(today), page=page)
    return found.with_rows(_rows(session, found.rows, now))


def build_board(session: Session, *, user: User, filters: BoardFilter, page: PageRequest | None = None,
                now: datetime | None = None) -> Board:
    """The board in four columns, each one page long (a "show more" link pages one column: the filter's
    status with the cursor), with the owners and touchpoints to filter by and the full counts."""
    page = page or PageRequest()
    if page.cursor is not None and filters.status not in COLUMNS:  # a cursor pages one column only
        raise bad_cursor()
    clinic = (service.acting_clinic(session, user=user, clinic_id=filters.clinic_id)
              if filters.clinic_id is not None else None)
    now = now or utcnow()
    today = time_zones.today_in_sql(session, now)
    shown = [filters.status] if filters.status in COLUMNS else list(COLUMNS)
    board = Board(clinic=clinic, filters=filters, columns={str(c): [] for c in shown})
    for status in shown:
        # The clinics' days read once for the whole board, not once per column.
        column = _page(session, user=user, filters=replace(filters, status=status),
                       page=page if filters.status else PageRequest(limit=page.limit), now=now, today=today)
        board.columns[str(status)] = column.rows
        board.pages[str(status)] = column
    counted = _filtered(session, _with_clinic(select(Action.status, func.count(col(Action.id)),
                                                     func.count(case((and_(col(Action.due_on) < today, col(
                                                         Action.status).in_(list(service.OPEN_STATUSES))), 1))))),
                        user=user, filters=filters, today=today).group_by(col(Action.status))
    for status, count, late in session.exec(counted).all():
        board.counts[status] = int(count)
        board.overdue += int(late)
    # The owners and checklists of every filtered action, not only those on the page: DISTINCT in SQL.
    owner_ids = set(session.exec(_filtered(session, _with_clinic(select(Action.owner_id).distinct()), user=user,
                                           filters=filters, today=today)).all())
    if clinic is not None:
        board.owners = service.eligible_owners(session, clinic)
    elif owner_ids:
        board.owners = list(session.exec(select(User).where(col(User.id).in_(owner_ids))).all())
    checklist_ids = set(session.exec(_filtered(session, _with_clinic(select(Action.checklist_id).distinct()), user=user,
                                               filters=filters, today=today)).all()) or {None}
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


def _local_days(session: Session, date_from: date | None, date_to: date | None) -> Any:
    """Events on [from, to] as each clinic's own calendar counts days (a query using it joins Clinic):
    for each zone the clinics use, the UTC instants of its midnights, so the period filters, counts
    and pages in SQL. None: no bound on either side."""
    lower = date_from is not None and date_from > date.min
    upper = date_to is not None and date_to < date.max  # "until the end of time" has no day after it
    if not lower and not upper:
        return None
    names = session.exec(select(Clinic.time_zone).distinct()).all()
    at = col(ActionEvent.at)
    alternatives = []
    for name in names:
        zone = time_zones.zone_named(name)
        bounds = []
        if lower and date_from is not None:
            bounds.append(at >= datetime.combine(date_from, time.min, tzinfo=zone).astimezone(UTC))
        if upper and date_to is not None:
            bounds.append(at < datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC))
        alternatives.append(and_(col(Clinic.time_zone).is_(None) if name is None else col(Clinic.time_zone) == name,
                                 *bounds))
    return or_(*alternatives) if alternatives else false()


# "What we improved": by clinic (name, then id: two clinics may share a name), then when it turned green.
IMPROVED_ORDER = (SortKey(col(Clinic.name)), SortKey(col(Clinic.id)), SortKey(col(ActionEvent.at)),
                  SortKey(col(ActionEvent.id)))


def improved(session: Session, *, user: User, date_from: date | None, date_to: date | None,
             page: PageRequest) -> dict[str, Any]:
    """Gaps turned green in [from, to] (verification events, dates inclusive, each clinic's own days):
    one page of them in IMPROVED_ORDER, each with its action, clinic and the audit that proved it,
    grouped by clinic; counted per clinic (of the page's clinics) and for the network over every page.
    Raises BadPeriod, BadPage."""
    if date_from and date_to and date_to < date_from:
        raise BadPeriod()
    visible = visible_clinic_ids(session, user)
    conditions: list[Any] = [ActionEvent.field == "status", ActionEvent.new == ActionStatus.verified]
    if visible is not None:
        conditions.append(col(Action.clinic_id).in_(list(visible) or [-1]))
    period = _local_days(session, date_from, date_to)
    if period is not None:
        conditions.append(period)

    def joined(query: Any) -> Any:
        return (query.join(Action, col(Action.id) == ActionEvent.action_id)
                .join(Clinic, col(Clinic.id) == Action.clinic_id).where(*conditions))

    found = fetch_page(session, joined(select(ActionEvent, Action, Clinic)), order=IMPROVED_ORDER, page=page)
    count = session.exec(joined(select(func.count()).select_from(ActionEvent))).one()
    clinic_ids = sorted({clinic.id or 0 for _event, _action, clinic in found.rows})
    per_clinic_counts = dict(session.exec(joined(select(Action.clinic_id, func.count()).select_from(ActionEvent))
                                          .where(col(Action.clinic_id).in_(clinic_ids))
                                          .group_by(col(Action.clinic_id))).all()) if clinic_ids else {}
    per_clinic: dict[int, dict[str, Any]] = {}
    for event, action, clinic in found.rows:
        entry = per_clinic.setdefault(clinic.id or 0, {"clinic": clinic, "count": per_clinic_counts.get(clinic.id, 0),
                                                       "actions": []})
        entry["actions"].append({"event_id": event.id, "action": action, "at": time_zones.local(event.at, clinic),
                                 "audit_id": event.audit_id,
                                 "still_green": action.status == ActionStatus.verified})
    return {"from": date_from, "to": date_to, "count": int(count), "clinics": list(per_clinic.values()),
            "listing": found}


def counts_by_status(session: Session, *, clinic_id: int) -> dict[str, int]:
    """How many actions the clinic has in each status (one GROUP BY)."""
    query = (select(Action.status, func.count()).where(Action.clinic_id == clinic_id)
             .group_by(col(Action.status)))
    return {status: n for status, n in session.exec(query).all()}
