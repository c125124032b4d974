"""The service blueprint of a clinic's journey, stage by stage (docs/journey-map.md): backstage work,
supporting systems and the stage's one owner, set by the clinic's manager or a director."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.actions.models import JourneyStage
from app.checklists.models import Touchpoint
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import DomainError, Invalid
from app.i18n import N_

STAGE_EDITORS = (Role.manager, Role.director, Role.admin)
TEXT_LIMIT = 1000
OWNER_LIMIT = 120


class StageNotFound(DomainError):
    status_code = 404
    message = N_("There is no journey stage '{touchpoint}'.")


class NotStageEditor(DomainError):
    status_code = 403
    message = N_("Only the clinic's manager or a director may change the journey's blueprint.")


@dataclass(frozen=True)
class StageInput:
    backstage: str
    systems: str
    owner_name: str


def stages_of(session: Session, *, clinic_id: int) -> dict[str, JourneyStage]:
    """The clinic's blueprint rows by touchpoint key (stages never edited are absent)."""
    rows = session.exec(select(JourneyStage).where(JourneyStage.clinic_id == clinic_id)).all()
    return {row.touchpoint_key: row for row in rows}


def can_edit_stages(user: User) -> bool:
    return user.role in STAGE_EDITORS


def check_touchpoint(session: Session, *, touchpoint_key: str) -> None:
    """Raises StageNotFound unless some checklist has a touchpoint with this key."""
    found = session.exec(select(col(Touchpoint.id)).where(Touchpoint.key == touchpoint_key).limit(1)).first()
    if found is None:
        raise StageNotFound(touchpoint=touchpoint_key)


def save_stage(session: Session, *, user: User, clinic: Clinic, touchpoint_key: str, data: StageInput) -> JourneyStage:
    """Create or replace the blueprint of one stage of the clinic (the clinic was checked to be in
    the user's scope). Raises NotStageEditor, StageNotFound, Invalid (text too long, a competitor).
    Does not commit; the request does."""
    if not can_edit_stages(user):
        raise NotStageEditor()
    if clinic.is_competitor:
        raise Invalid(N_("{clinic} is a competitor: its journey is compared with, not run by us."), clinic=clinic.name)
    check_touchpoint(session, touchpoint_key=touchpoint_key)
    backstage, systems, owner = data.backstage.strip(), data.systems.strip(), " ".join(data.owner_name.split())
    if len(backstage) > TEXT_LIMIT or len(systems) > TEXT_LIMIT:
        raise Invalid(N_("Keep each text under {limit} characters."), limit=TEXT_LIMIT)
    if len(owner) > OWNER_LIMIT:
        raise Invalid(N_("The owner's name is longer than {limit} characters."), limit=OWNER_LIMIT)
    stage = stages_of(session, clinic_id=clinic.id or 0).get(touchpoint_key) or JourneyStage(
        clinic_id=clinic.id or 0, touchpoint_key=touchpoint_key)
    stage.backstage, stage.systems, stage.owner_name = backstage, systems, owner
    stage.updated_by_id, stage.updated_at = user.id, utcnow()
    session.add(stage)
    session.flush()
    return stage
