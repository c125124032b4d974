"""The clinic's action plan: create a fix from a gap (an item or a whole touchpoint) or an idea, and
move it open → in_progress → done with one owner, a due date and a history of every change.

Who may act on a clinic's plan: a director whose scope includes the clinic, a QA lead, an admin, or
the clinic's own manager. Anyone else gets 404 for the clinic (its plan is as private as its
reports). `verified` is never set here: a later approved audit sets it (verification.py).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app import events
from app.accounts.models import DirectorClinic, DirectorRegion, Role, User
from app.accounts.scope import can_see_clinic
from app.actions.models import Action, ActionEvent, ActionItem, ActionStatus
from app.checklists import versions as checklists
from app.checklists.models import Checklist, ChecklistVersion, Item, Touchpoint
from app.checklists.schema import SCORED_TYPES
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Invalid, NotFound
from app.i18n import N_
from app.reports import lookups
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page

ACTING_ROLES = (Role.director, Role.qa_lead, Role.admin, Role.manager)
# Moves people may make by hand; `verified` is set only by a later approved audit.
MOVES: dict[str, set[str]] = {
    ActionStatus.open: {ActionStatus.in_progress, ActionStatus.done},
    ActionStatus.in_progress: {ActionStatus.open, ActionStatus.done},
    ActionStatus.done: {ActionStatus.in_progress},
    ActionStatus.verified: set(),
}
OPEN_STATUSES = (ActionStatus.open, ActionStatus.in_progress)


class ActionNotFound(NotFound):
    message = N_("There is no action {action}.")


class ClinicNotFound(NotFound):
    message = N_("There is no clinic {clinic}.")


class OwnerRequired(Invalid):
    message = N_("An action needs exactly one owner.")


class OwnerOutsideClinic(Invalid):
    message = N_("{owner} is not one of this clinic's people (its manager, a director over it, a QA lead or "
                 "an admin) and cannot own its actions.")


class TitleRequired(Invalid):
    message = N_("Say what will change: the title is empty.")


class ItemsRequired(Invalid):
    message = N_("An action born from a gap must cover at least one checklist item.")


class UnknownItems(Invalid):
    message = N_("The checklist has no scored item {keys}.")


class UnknownTouchpoint(Invalid):
    message = N_("The checklist has no touchpoint {touchpoint}.")


class UnknownChecklist(Invalid):
    message = N_("There is no checklist {checklist}.")


class VerifiedByHand(Invalid):
    message = N_("verified is set by a later audit, not by hand.")


class ForbiddenMove(Invalid):
    message = N_("An action cannot move from {old} to {new}.")


class UnknownStatus(Invalid):
    message = N_("Unknown status {status}: use open, in_progress or done.")


class CommentRequired(Invalid):
    message = N_("Say in a comment what was done (or why it moves back).")


class CompetitorClinic(Invalid):
    message = N_("{clinic} is a competitor: its audits are a benchmark, not ours to fix, so it has no action plan.")


class UnknownKind(Invalid):
    message = N_("Unknown kind {kind}: use gap or idea.")


@dataclass(frozen=True)
class ActionInput:
    clinic_id: int
    title: str
    owner_id: int | None
    due_on: date | None = None
    kind: str = "gap"  # gap | idea
    checklist: str | None = None  # slug; default: the only or the first checklist
    touchpoint: str | None = None
    item_keys: tuple[str, ...] = ()
    description: str = ""


def acting_clinic(session: Session, *, user: User, clinic_id: int) -> Clinic:
    """The clinic if the user may act on its plan. Raises ClinicNotFound (404) otherwise, in the
    same words for a clinic that does not exist and one outside the user's scope."""
    clinic = session.get(Clinic, clinic_id)
    if clinic is None or user.role not in ACTING_ROLES or not can_see_clinic(session, user, clinic_id):
        raise ClinicNotFound(clinic=clinic_id)
    return clinic


def action_in_scope(session: Session, *, user: User, action_id: int) -> Action:
    """The action if the user may see and act on its clinic. Raises ActionNotFound (404)."""
    action = session.get(Action, action_id)
    if action is None or user.role not in ACTING_ROLES or not can_see_clinic(session, user, action.clinic_id):
        raise ActionNotFound(action=action_id)
    return action


def refuse_competitor(clinic: Clinic) -> None:
    """Raises CompetitorClinic (422) for a competitor: it is compared with, never fixed by us."""
    if clinic.is_competitor:
        raise CompetitorClinic(clinic=clinic.name)


def eligible_owners(session: Session, clinic: Clinic) -> list[User]:
    """The clinic's people, who may own its actions: its manager(s), the directors whose scope
    includes it, QA leads and admins; active users only, by role then name. One query: the people of
    this clinic, never every manager of the network."""
    in_scope = or_(col(User.whole_network).is_(True),
                   col(User.id).in_(select(DirectorClinic.user_id).where(DirectorClinic.clinic_id == clinic.id)),
                   col(User.id).in_(select(DirectorRegion.user_id).where(DirectorRegion.region_id == clinic.region_id)))
    found = session.exec(select(User).where(col(User.active).is_(True), or_(
        and_(col(User.role) == Role.manager, col(User.clinic_id) == clinic.id),
        and_(col(User.role) == Role.director, in_scope),
        col(User.role).in_([Role.qa_lead, Role.admin])))).all()
    order = {Role.manager: 0, Role.director: 1, Role.qa_lead: 2, Role.admin: 3}
    return sorted(found, key=lambda u: (order.get(Role(u.role), 9), u.name or u.email))


def _owner(session: Session, clinic: Clinic, owner_id: int | None) -> User:
    if not owner_id:
        raise OwnerRequired()
    eligible = {u.id: u for u in eligible_owners(session, clinic)}
    if owner_id not in eligible:
        user = session.get(User, owner_id)
        raise OwnerOutsideClinic(owner=(user.name or user.email) if user else f"#{owner_id}")
    return eligible[owner_id]


def clinic_checklist(session: Session, slug: str | None, *, clinic_id: int | None = None) -> ChecklistVersion:
    """The latest published version of the named checklist; unnamed: the checklist of most of the
    clinic's approved audits, else the oldest checklist. Raises UnknownChecklist."""
    if slug:
        checklist = session.exec(select(Checklist).where(Checklist.slug == slug)).first()
    else:
        checklist = (lookups.most_used_checklist(session, clinic_ids=[clinic_id]) if clinic_id else None) \
            or session.exec(select(Checklist).order_by(col(Checklist.id))).first()
    if checklist is None:
        raise UnknownChecklist(checklist=slug or "")
    return checklists.latest_version(session, checklist.slug)


def _covered_items(session: Session, version: ChecklistVersion, data: ActionInput) -> tuple[str | None, list[str]]:
    """(touchpoint key, item keys) of a gap: the items given, else every scored item of the
    touchpoint. Raises UnknownTouchpoint, UnknownItems, ItemsRequired."""
    tps = {tp.id: tp for tp in checklists.touchpoints_of(session, version.id or 0)}
    scored = {i.key: i for i in checklists.items_of(session, version.id or 0) if i.type in SCORED_TYPES}
    touchpoint = data.touchpoint or None
    if touchpoint and touchpoint not in {tp.key for tp in tps.values()}:
        raise UnknownTouchpoint(touchpoint=touchpoint)
    keys = list(dict.fromkeys(k.strip() for k in data.item_keys if k.strip()))
    unknown = [k for k in keys if k not in scored]
    if unknown:
        raise UnknownItems(keys=", ".join(unknown), detail=None)
    if data.kind == "idea":
        return touchpoint, keys
    if not keys and touchpoint:
        keys = [k for k, i in scored.items() if tps[i.touchpoint_id].key == touchpoint]
    if not keys:
        raise ItemsRequired()
    if touchpoint is None:
        touchpoint = tps[scored[keys[0]].touchpoint_id].key
    return touchpoint, keys


def _event(session: Session, action: Action, actor: User | None, field: str, old: object = None,
           new: object = None, comment: str = "", at: datetime | None = None,
           audit_id: int | None = None) -> ActionEvent:
    event = ActionEvent(action_id=action.id or 0, actor_id=actor.id if actor else None, at=at or utcnow(),
                        field=field, old=None if old is None else str(old), new=None if new is None else str(new),
                        comment=comment, audit_id=audit_id)
    session.add(event)
    return event


def create_action(session: Session, *, user: User, data: ActionInput, at: datetime | None = None) -> Action:
    """A new open action on the clinic's plan with one owner and the items it covers.

    A gap covers ≥ 1 scored item (a touchpoint gap covers its scored items by default); an idea may
    cover none. Competitor clinics are benchmarks and get no actions. Raises ClinicNotFound (404,
    also outside the user's scope); CompetitorClinic, TitleRequired, OwnerRequired, OwnerOutsideClinic,
    ItemsRequired, UnknownItems, UnknownTouchpoint, UnknownKind (422).
    """
    clinic = acting_clinic(session, user=user, clinic_id=data.clinic_id)
    refuse_competitor(clinic)
    if data.kind not in ("gap", "idea"):
        raise UnknownKind(kind=data.kind)
    title = data.title.strip()
    if not title:
        raise TitleRequired()
    owner = _owner(session, clinic, data.owner_id)
    version = clinic_checklist(session, data.checklist, clinic_id=clinic.id)
    touchpoint, keys = _covered_items(session, version, data)
    now = at or utcnow()
    action = Action(clinic_id=clinic.id or 0, checklist_id=version.checklist_id, kind=data.kind,
                    touchpoint_key=touchpoint, title=title[:300], description=data.description.strip(),
                    owner_id=owner.id or 0, due_on=data.due_on, status=ActionStatus.open,
                    created_by_id=user.id or 0, created_at=now, updated_at=now)
    session.add(action)
    session.flush()
    session.add_all([ActionItem(action_id=action.id or 0, item_key=key) for key in keys])
    _event(session, action, user, "created", new=action.status, comment=title, at=now)
    trail.record(session, actor=user, verb="action.create", entity="action", entity_id=action.id,
                 clinic_id=clinic.id, items=keys)
    session.flush()
    events.publish(session, events.ActionAssigned(action_id=action.id or 0, occurrence="created", actor_id=user.id))
    return action


def change_action(session: Session, *, user: User, action: Action, status: str | None = None,
                  owner_id: int | None = None, due_on: date | None = None, clear_due: bool = False,
                  comment: str = "", at: datetime | None = None) -> Action:
    """Change the status, owner or due date, and/or add a comment; each change is one event.

    Status moves by hand: open ↔ in_progress → done, and done → in_progress; a status change needs
    a comment. Raises VerifiedByHand, ForbiddenMove, UnknownStatus, CommentRequired, OwnerRequired,
    OwnerOutsideClinic (422). The caller has checked scope (action_in_scope).
    """
    comment = comment.strip()
    now = at or utcnow()
    changed = comment_used = False
    if status and status != action.status:
        if status == ActionStatus.verified:
            raise VerifiedByHand()
        if status not in MOVES:
            raise UnknownStatus(status=status)
        if status not in MOVES[action.status]:
            raise ForbiddenMove(old=action.status, new=status)
        if not comment:
            raise CommentRequired()
        _event(session, action, user, "status", action.status, status, comment, at=now)
        action.status = status
        action.done_at = now if status == ActionStatus.done else None
        changed = comment_used = True
    if owner_id is not None and owner_id != action.owner_id:
        clinic = session.get(Clinic, action.clinic_id)
        assert clinic is not None
        owner = _owner(session, clinic, owner_id)
        old = session.get(User, action.owner_id)
        owner_event = _event(session, action, user, "owner", old.email if old else action.owner_id, owner.email,
                             at=now)
        action.owner_id = owner.id or 0
        session.flush()
        events.publish(session, events.ActionAssigned(action_id=action.id or 0, occurrence=f"owner-{owner_event.id}",
                                                      actor_id=user.id))
        changed = True
    new_due = None if clear_due else due_on
    if (clear_due or due_on is not None) and new_due != action.due_on:
        _event(session, action, user, "due_on", action.due_on, new_due, at=now)
        action.due_on = new_due
        changed = True
    if comment and not comment_used:
        _event(session, action, user, "comment", comment=comment, at=now)
        changed = True
    if changed:
        action.updated_at = now
        session.add(action)
        trail.record(session, actor=user, verb="action.update", entity="action", entity_id=action.id,
                     status=action.status)
    session.flush()
    return action


HISTORY_ORDER = (SortKey(col(ActionEvent.at), descending=True), SortKey(col(ActionEvent.id), descending=True))
HISTORY_OLDEST_FIRST = (SortKey(col(ActionEvent.at)), SortKey(col(ActionEvent.id)))  # the API's order


def history_page(session: Session, action: Action, *, page: PageRequest,
                 oldest_first: bool = False) -> Page[tuple[ActionEvent, User | None]]:
    """One page of the action's changes with who made them (None: an audit did), newest first (the
    page) or oldest first (the API, as it always answered). Raises BadPage for a cursor that is not
    this list's."""
    query = (select(ActionEvent, User).outerjoin(User, col(User.id) == ActionEvent.actor_id)
             .where(ActionEvent.action_id == action.id))
    return fetch_page(session, query, order=HISTORY_OLDEST_FIRST if oldest_first else HISTORY_ORDER, page=page)


def items_of(session: Session, action_ids: list[int]) -> dict[int, list[str]]:
    """Covered item keys per action (one query)."""
    found: dict[int, list[str]] = {}
    if not action_ids:
        return found
    query = select(ActionItem).where(col(ActionItem.action_id).in_(action_ids)).order_by(col(ActionItem.item_key))
    for row in session.exec(query).all():
        found.setdefault(row.action_id, []).append(row.item_key)
    return found


def touchpoint_titles(session: Session, checklist_id: int | None) -> dict[str, dict[str, str]]:
    """Touchpoint titles of the checklist's latest published version, by key, in journey order."""
    if checklist_id is None:
        return {}
    version = session.exec(select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist_id,
                                                          ChecklistVersion.status == "published")
                           .order_by(col(ChecklistVersion.version).desc())).first()
    if version is None:
        return {}
    rows = session.exec(select(Touchpoint).where(Touchpoint.version_id == version.id)
                        .order_by(col(Touchpoint.position))).all()
    return {tp.key: tp.title for tp in rows}


def item_texts(session: Session, checklist_id: int | None) -> dict[str, dict[str, str]]:
    """Item texts by key over every published version of the checklist, newest first wins."""
    if checklist_id is None:
        return {}
    rows = session.exec(select(Item.key, Item.text).join(ChecklistVersion, col(ChecklistVersion.id) == Item.version_id)
                        .where(ChecklistVersion.checklist_id == checklist_id)
                        .order_by(col(ChecklistVersion.version))).all()
    return {key: dict(text) for key, text in rows}
