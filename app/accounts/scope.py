"""Which clinics a user may see: written once, used by pages, API, media and exports alike."""

from sqlmodel import Session, col, select

from app.accounts.models import DirectorClinic, DirectorRegion, Role, User
from app.clinics.models import Clinic
from app.errors import NotFound

ALL = None  # sentinel: no restriction


def visible_clinic_ids(session: Session, user: User) -> set[int] | None:
    """None means every clinic; otherwise the set the user may see (possibly empty).

    qa_lead and admin see the whole network; a director sees everything only with the explicit
    whole_network flag, else the union of their regions and clinics, and nothing when scoped to
    nothing (scope fails closed, docs/design.md §2); a manager sees their one clinic; a shopper sees
    clinics only through their own assignments, so none here. Callers must read an empty set as
    "nothing", never as "no filter": only ALL (None) lifts the filter.
    """
    if user.role in (Role.admin, Role.qa_lead):
        return ALL
    if user.role == Role.manager:
        return {user.clinic_id} if user.clinic_id else set()
    if user.role == Role.director:
        if user.whole_network:
            return ALL
        region_ids = session.exec(select(DirectorRegion.region_id).where(DirectorRegion.user_id == user.id)).all()
        clinic_ids = set(session.exec(select(DirectorClinic.clinic_id).where(DirectorClinic.user_id == user.id)).all())
        if region_ids:
            in_regions = session.exec(select(Clinic.id).where(col(Clinic.region_id).in_(region_ids))).all()
            clinic_ids.update(cid for cid in in_regions if cid is not None)
        return clinic_ids
    return set()


def can_see_clinic(session: Session, user: User, clinic_id: int) -> bool:
    visible = visible_clinic_ids(session, user)
    return visible is ALL or clinic_id in visible


def clinic_in_scope(session: Session, user: User, clinic_id: int) -> Clinic:
    """The clinic, or 404 when it does not exist or lies outside the user's scope (never 403:
    that a clinic exists is itself private to those who may see it)."""
    clinic = session.get(Clinic, clinic_id)
    if clinic is None or not can_see_clinic(session, user, clinic_id):
        raise NotFound()
    return clinic
