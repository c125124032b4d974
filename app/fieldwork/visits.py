"""Visit facts the shopper records: when the visit started and ended, and an optional check-in
with the phone's location, compared with the clinic's coordinates."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.accounts.models import User
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.audits import lock_editable, touch
from app.fieldwork.geo import distance_m
from app.fieldwork.models import Audit
from app.i18n import N_
from app.trail import service as trail

CLOCK_SKEW = timedelta(hours=14)  # a phone in another time zone or with a wrong clock


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def set_visit_times(session: Session, *, audit: Audit, started_at: datetime | None, ended_at: datetime | None,
                    actor: User | None = None) -> Audit:
    """Record the start and end of the visit (either may stay empty).

    Raises Invalid when the end is before the start or a time lies in the future; AuditNotEditable."""
    lock_editable(session, audit)  # against a submit (app.fieldwork.audits.lock)
    started_at, ended_at = _aware(started_at), _aware(ended_at)
    latest = utcnow() + CLOCK_SKEW
    if (started_at and started_at > latest) or (ended_at and ended_at > latest):
        raise Invalid(N_("The visit cannot be in the future."))
    if started_at and ended_at and ended_at < started_at:
        raise Invalid(N_("The visit ends before it starts."))
    audit.visit_started_at, audit.visit_ended_at = started_at, ended_at
    touch(audit)
    session.add(audit)
    session.flush()
    trail.record(session, actor=actor, verb="audit.visit_times", entity="audit", entity_id=audit.id)
    return audit


def check_in(session: Session, *, audit: Audit, latitude: float, longitude: float,
             accuracy_m: float | None = None, actor: User | None = None) -> Audit:
    """Store where the phone was at check-in. Raises Invalid for impossible coordinates."""
    lock_editable(session, audit)  # against a submit (app.fieldwork.audits.lock)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Invalid(N_("The location is not valid."))
    if accuracy_m is not None and not 0 <= accuracy_m < 1_000_000:
        raise Invalid(N_("The location accuracy is not valid."))
    audit.checkin_latitude, audit.checkin_longitude = latitude, longitude
    audit.checkin_accuracy_m, audit.checkin_at = accuracy_m, utcnow()
    touch(audit)
    session.add(audit)
    session.flush()
    trail.record(session, actor=actor, verb="audit.check_in", entity="audit", entity_id=audit.id)
    return audit


def distance_to_clinic(audit: Audit, clinic: Clinic) -> float | None:
    """Metres between the check-in and the clinic, when both are known."""
    if None in (audit.checkin_latitude, audit.checkin_longitude, clinic.latitude, clinic.longitude):
        return None
    return distance_m(audit.checkin_latitude or 0.0, audit.checkin_longitude or 0.0,
                      clinic.latitude or 0.0, clinic.longitude or 0.0)
