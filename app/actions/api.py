"""Actions under /api/v1: list with filters, create, update (status with comment, owner, due date,
comment) and history; the same role and scope rules as the pages (outside scope → 404)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from app.accounts.deps import require
from app.accounts.models import User
from app.actions import boards, service
from app.actions.models import Action
from app.actions.schemas import ActionCreate, ActionRead, ActionUpdate, EventRead
from app.clinics.models import Clinic
from app.clinics.time_zones import Now
from app.db import SessionDep
from app.web.paging import PAGED, PageParams, link_next

router = APIRouter(prefix="/api/v1", tags=["actions"])
ActionUser = Annotated[User, Depends(require(*service.ACTING_ROLES))]


def action_read(session: SessionDep, action: Action, *, now: datetime, clinic: Clinic | None = None,
                owner: User | None = None, items: list[str] | None = None) -> ActionRead:
    clinic = clinic or session.get(Clinic, action.clinic_id)
    owner = owner or session.get(User, action.owner_id)
    if items is None:
        items = service.items_of(session, [action.id or 0]).get(action.id or 0, [])
    return ActionRead(id=action.id or 0, clinic_id=action.clinic_id, clinic=clinic.name if clinic else "",
                      kind=action.kind, title=action.title, description=action.description,
                      touchpoint=action.touchpoint_key, items=items, owner_id=action.owner_id,
                      owner=owner.email if owner else "", due_on=action.due_on,
                      overdue=boards.is_overdue(action, clinic, now), status=action.status, done_at=action.done_at,
                      verified_at=action.verified_at, verified_by_audit_id=action.verified_by_audit_id,
                      regressions=action.regressions, created_at=action.created_at, updated_at=action.updated_at)


@router.get("/actions", response_model=list[ActionRead],
            responses={**PAGED, 404: {"description": "clinic outside scope"}})
def list_actions(request: Request, response: Response, user: ActionUser, session: SessionDep, page: PageParams,
                 now: Now,
                 clinic_id: int | None = None, status: str | None = None,
                 owner: int | None = Query(default=None, description="owner's user id"),
                 touchpoint: str | None = None, overdue: bool = False) -> list[ActionRead]:
    """Overdue first, then by due date, one page at a time (docs/design.md §8); `overdue`: the due day
    is over in the action's clinic (its own time zone)."""
    found = boards.actions_page(session, user=user, page=page, filters=boards.BoardFilter(
        clinic_id=clinic_id, status=status or None, owner_id=owner, touchpoint=touchpoint or None,
        overdue=overdue), now=now)
    link_next(request, response, found)
    return [action_read(session, r["action"], now=now, clinic=r["clinic"], owner=r["owner"], items=r["items"])
            for r in found.rows]


@router.post("/actions", response_model=ActionRead, status_code=201,
             responses={404: {"description": "clinic outside scope"},
                        422: {"description": "no owner, owner outside the clinic, no or unknown items"}})
def create_action(user: ActionUser, body: ActionCreate, session: SessionDep, now: Now) -> ActionRead:
    action = service.create_action(session, user=user, data=service.ActionInput(
        clinic_id=body.clinic_id, title=body.title, owner_id=body.owner_id, due_on=body.due_on, kind=body.kind,
        checklist=body.checklist, touchpoint=body.touchpoint, item_keys=tuple(body.items),
        description=body.description))
    return action_read(session, action, now=now)


@router.patch("/actions/{action_id}", response_model=ActionRead,
              responses={404: {}, 422: {"description": "forbidden status move, no comment, owner outside"}})
def update_action(action_id: int, user: ActionUser, body: ActionUpdate, session: SessionDep,
                  now: Now) -> ActionRead:
    action = service.action_in_scope(session, user=user, action_id=action_id)
    given: dict[str, Any] = body.model_dump(exclude_unset=True)
    service.change_action(session, user=user, action=action, status=body.status, owner_id=body.owner_id,
                          due_on=body.due_on, clear_due="due_on" in given and body.due_on is None,
                          comment=body.comment)
    return action_read(session, action, now=now)


@router.get("/actions/{action_id}", response_model=ActionRead, responses={404: {}})
def get_action(action_id: int, user: ActionUser, session: SessionDep, now: Now) -> ActionRead:
    return action_read(session, service.action_in_scope(session, user=user, action_id=action_id), now=now)


@router.get("/actions/{action_id}/history", response_model=list[EventRead], responses={404: {}, **PAGED})
def action_history(request: Request, response: Response, action_id: int, user: ActionUser, session: SessionDep,
                   page: PageParams) -> list[EventRead]:
    """The action's changes, oldest first, one page at a time (docs/design.md §8)."""
    action = service.action_in_scope(session, user=user, action_id=action_id)
    found = service.history_page(session, action, page=page, oldest_first=True)
    link_next(request, response, found)
    return [EventRead(at=e.at, actor=u.email if u else None, field=e.field, old=e.old, new=e.new,
                      comment=e.comment, audit_id=e.audit_id) for e, u in found.rows]
