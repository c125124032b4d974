"""JSON API about the caller: who am I, with which role and scope."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.accounts import service
from app.accounts.deps import CurrentUser
from app.db import SessionDep

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class ScopeRead(BaseModel):
    """A manager's clinic; a director's whole-network flag, regions and clinics (flag unset and both
    lists empty = no clinic at all)."""

    clinic_id: int | None
    whole_network: bool
    region_ids: list[int]
    clinic_ids: list[int]


class MeRead(BaseModel):
    id: int
    email: str
    name: str
    role: str
    scope: ScopeRead


@router.get("/me", response_model=MeRead)
def me(user: CurrentUser, session: SessionDep) -> MeRead:
    """The authenticated caller (session cookie or bearer token)."""
    region_ids, clinic_ids = service.scope_of(session, user)
    return MeRead(id=user.id or 0, email=user.email, name=user.name, role=str(user.role),
                  scope=ScopeRead(clinic_id=user.clinic_id, whole_network=user.whole_network,
                                  region_ids=sorted(region_ids), clinic_ids=sorted(clinic_ids)))
