"""A clinic's clock: its IANA time zone (or the network's default) and its own calendar day.

Due dates, "overdue", visit windows, visit times and the dates printed on reports are each clinic's
own (docs/design.md §3): a network from Kaliningrad to Vladivostok has eight hours between its
first and last midnight. Everything stored is UTC; this module turns it into a clinic's day or time.
"""

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import Depends
from sqlalchemy import case, literal
from sqlmodel import Session, col, select

from app.clinics.models import Clinic
from app.db_types import utcnow
from app.settings import get_settings

# The widest offsets in use: a local day starts up to 14 h before and 12 h after the UTC day.
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)


class HasZone(Protocol):
    time_zone: str | None


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this server knows (case matters: "Europe/Moscow")."""
    return name in zone_names()


@lru_cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted: the admin form offers them."""
    return tuple(sorted(available_timezones()))


def zone_named(name: str | None) -> ZoneInfo:
    """The zone; None or "" is the network's default (MP_DEFAULT_TIME_ZONE, checked at start-up)."""
    name = name or get_settings().default_time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a row written before names were checked
        return ZoneInfo(get_settings().default_time_zone)


def zone_of(clinic: HasZone | None) -> ZoneInfo:
    """The clinic's zone; no clinic (a network-wide page) is the network's."""
    return zone_named(clinic.time_zone if clinic is not None else None)


def zones_of(session: Session, clinic_ids: Collection[int] | None) -> dict[int, ZoneInfo]:
    """The zones of these clinics (None = every clinic), read in one query."""
    query = select(Clinic.id, Clinic.time_zone)
    if clinic_ids is not None:
        query = query.where(col(Clinic.id).in_(list(clinic_ids) or [-1]))
    return {clinic_id: zone_named(name) for clinic_id, name in session.exec(query).all() if clinic_id is not None}


def today_at(clinic: HasZone | None, now: datetime) -> date:
    """The calendar day at the clinic at the instant `now`."""
    return now.astimezone(zone_of(clinic)).date()


def local(moment: datetime, clinic: HasZone | None) -> datetime:
    """The instant as the clinic's wall clock shows it."""
    return moment.astimezone(zone_of(clinic))


def local_date(moment: datetime | None, clinic: HasZone | None) -> date | None:
    """The clinic's date of an instant (a visit, a submission), None for None."""
    return local(moment, clinic).date() if moment is not None else None


def from_local(wall: datetime, clinic: HasZone | None) -> datetime:
    """A wall-clock time at the clinic (no zone) as a UTC instant, with the offset of that date (DST)."""
    return wall.replace(tzinfo=zone_of(clinic)).astimezone(UTC)


def today_in_sql(session: Session, now: datetime) -> Any:
    """Each clinic's own day at `now` as a SQL expression over `clinics.time_zone` (a query using it
    joins Clinic): one CASE over the zones the clinics use, so "overdue" can filter, sort and page in SQL."""
    names = [name for name in session.exec(select(Clinic.time_zone).distinct()).all() if name]
    default = today_at(None, now)
    if not names:
        return literal(default)
    return case(*((col(Clinic.time_zone) == name, now.astimezone(zone_named(name)).date()) for name in names),
                else_=default)


def latest_today(now: datetime) -> date:
    """The latest calendar day anywhere at `now`: a bound for SQL before each clinic's own day."""
    return (now.astimezone(UTC) + LATEST_OFFSET).date()


def earliest_today(now: datetime) -> date:
    """The earliest calendar day anywhere at `now`."""
    return (now.astimezone(UTC) + EARLIEST_OFFSET).date()


def current_time() -> datetime:
    """The request's "now": one dependency, so a test can stand at any instant (dependency_overrides)."""
    return utcnow()


Now = Annotated[datetime, Depends(current_time)]
