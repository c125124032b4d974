"""The kinds of choice list (app/web/choices.py): what each offers, in which order, to whom.

Each kind keeps the rule of the form that used to list the whole table: the review queue's filters
offer every clinic and shopper, assignment offers active shoppers only, reports offer the waves and
regions with approved audits in the reader's scope.
"""

from typing import Any

from sqlalchemy import select, true
from sqlmodel import Session, col

from app.accounts.models import Role, User
from app.accounts.scope import visible_clinic_ids
from app.clinics.models import Clinic, Region
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.money import costs
from app.web.choices import SOURCES, Source

OFFICE = frozenset({Role.admin, Role.qa_lead})
READERS = frozenset({Role.admin, Role.qa_lead, Role.director, Role.manager})  # each within their scope
COST_READERS = frozenset({Role.admin, Role.qa_lead, Role.director})


def _in_scope(session: Session, user: User, clinic_id: Any) -> Any:
    """`clinic_id` is one of the clinics this user may see (every clinic: no condition)."""
    visible = visible_clinic_ids(session, user)
    return true() if visible is None else col(clinic_id).in_(sorted(visible))


def _with_region(*conditions: Any) -> Any:
    return (select(col(Clinic.id), col(Clinic.name), col(Region.name))
            .join(Region, col(Clinic.region_id) == col(Region.id), isouter=True).where(*conditions))


def _clinics(*conditions: Any) -> Any:
    return lambda _session, _user: _with_region(*conditions)


def _branches(session: Session, user: User) -> Any:
    return _with_region(col(Clinic.is_competitor).is_(False), _in_scope(session, user, Clinic.id))


def _clinic(row: Any) -> str:
    """Names repeat across cities; the region tells them apart."""
    return f"{row[1]} ({row[2]})" if row[2] else str(row[1])


def _shoppers(*conditions: Any) -> Any:
    return lambda _session, _user: (select(col(User.id), col(User.name), col(User.email))
                                    .where(col(User.role) == Role.shopper, *conditions))


def _reported_waves(session: Session, user: User, *conditions: Any) -> Any:
    """The waves with approved audits at the clinics this user may see (and `conditions` hold)."""
    approved = select(col(Audit.wave_id)).where(col(Audit.status) == AuditStatus.approved,
                                                _in_scope(session, user, Audit.clinic_id), *conditions)
    return select(col(Wave.id), col(Wave.name)).where(col(Wave.id).in_(approved))


def _clinic_waves(session: Session, user: User, clinic_id: int) -> Any:
    """One clinic's waves with approved audits, if the reader may see that clinic."""
    return _reported_waves(session, user, col(Audit.clinic_id) == clinic_id)


def _reported_regions(session: Session, user: User) -> Any:
    return select(col(Region.id), col(Region.name)).where(col(Region.id).in_(
        select(col(Clinic.region_id)).where(_in_scope(session, user, Clinic.id))))


def _costed_waves(session: Session, user: User) -> Any:
    return select(col(Wave.id), col(Wave.name)).where(col(Wave.id).in_(costs.costed_wave_ids(session, user)))


def _person(row: Any) -> str:
    return str(row[1] or row[2])


BY_NAME = (col(Clinic.name), col(Clinic.id))
CLINIC_SEARCH = (col(Clinic.name), col(Clinic.city), col(Region.name))
NEWEST_WAVES = (col(Wave.starts_on).desc(), col(Wave.id).desc())
SHOPPER_ORDER = (col(User.name), col(User.email), col(User.id))
REGION_ORDER = (col(Region.name), col(Region.id))

SOURCES.update({
    "clinics": Source(OFFICE, _clinics(), col(Clinic.id), CLINIC_SEARCH, BY_NAME, label=_clinic),
    "active-clinics": Source(OFFICE, _clinics(col(Clinic.active)), col(Clinic.id), CLINIC_SEARCH, BY_NAME,
                             label=_clinic),
    "branches": Source(READERS, _branches, col(Clinic.id), CLINIC_SEARCH, BY_NAME, label=_clinic),
    "shoppers": Source(OFFICE, _shoppers(), col(User.id), (col(User.name), col(User.email)), SHOPPER_ORDER,
                       label=_person),
    "active-shoppers": Source(OFFICE, _shoppers(col(User.active)), col(User.id), (col(User.name), col(User.email)),
                              SHOPPER_ORDER, label=_person),
    "waves": Source(OFFICE, lambda _session, _user: select(col(Wave.id), col(Wave.name)), col(Wave.id),
                    (col(Wave.name),), NEWEST_WAVES),
    "reported-waves": Source(READERS, _reported_waves, col(Wave.id), (col(Wave.name),), NEWEST_WAVES,
                             within=_clinic_waves),
    "costed-waves": Source(COST_READERS, _costed_waves, col(Wave.id), (col(Wave.name),), NEWEST_WAVES),
    "regions": Source(OFFICE, lambda _session, _user: select(col(Region.id), col(Region.name)), col(Region.id),
                      (col(Region.name),), REGION_ORDER),
    "reported-regions": Source(READERS, _reported_regions, col(Region.id), (col(Region.name),), REGION_ORDER),
})
