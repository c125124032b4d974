"""Regions and clinics: list (within a user's scope), create, edit, rename. Every change is on the trail."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.clinics import time_zones
from app.clinics.models import Clinic, Region
from app.errors import Invalid, NotFound
from app.i18n import N_, gettext
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page

NAME_MAX = 200
REGION_MAX = 120


class FieldErrors(Invalid):
    """Bad form or API input: `detail` lists `{"field", "message"}`, one per wrong field."""

    message = N_("Some of the data is not valid.")

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(detail=[{"field": field, "message": text} for field, text in problems.items()])

    @property
    def by_field(self) -> dict[str, str]:
        return {problem["field"]: problem["message"] for problem in self.detail}


@dataclass
class ClinicInput:
    name: str
    region_id: int | None
    city: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_competitor: bool = False
    active: bool = True
    time_zone: str | None = None


def _coordinate(raw: str | float | None, low: float, high: float, problems: dict[str, str],
                field: str) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(raw.replace(",", ".").strip() if isinstance(raw, str) else raw)
    except ValueError:
        problems[field] = gettext(N_("Enter a number, e.g. 55.75, or leave it empty."))
        return None
    if not low <= value <= high:
        problems[field] = gettext(N_("Must be between {low} and {high}.")).format(low=low, high=high)
        return None
    return value


def clinic_input(session: Session, *, name: str, region_id: int | str | None, city: str = "",
                 address: str = "", latitude: str | float | None = None, longitude: str | float | None = None,
                 is_competitor: bool = False, active: bool = True, time_zone: str | None = None) -> ClinicInput:
    """Checked clinic fields: a name, an existing region, coordinates in range (or none), an IANA
    time zone (or none: the network's default).

    Raises FieldErrors naming every wrong field at once.
    """
    problems: dict[str, str] = {}
    name = name.strip()
    if not name:
        problems["name"] = gettext(N_("Enter the clinic's name."))
    elif len(name) > NAME_MAX:
        problems["name"] = gettext(N_("At most {n} characters.")).format(n=NAME_MAX)
    region: int | None = None
    if region_id in (None, ""):
        problems["region_id"] = gettext(N_("Choose a region."))
    else:
        try:
            region = int(region_id)  # type: ignore[arg-type]
        except ValueError:
            region = None
        if region is None or session.get(Region, region) is None:
            problems["region_id"] = gettext(N_("Choose a region."))
    if len(city.strip()) > 120:
        problems["city"] = gettext(N_("At most {n} characters.")).format(n=120)
    if len(address.strip()) > 300:
        problems["address"] = gettext(N_("At most {n} characters.")).format(n=300)
    lat = _coordinate(latitude, -90.0, 90.0, problems, "latitude")
    lon = _coordinate(longitude, -180.0, 180.0, problems, "longitude")
    if (lat is None) != (lon is None) and "latitude" not in problems and "longitude" not in problems:
        problems["longitude" if lon is None else "latitude"] = gettext(
            N_("Give both latitude and longitude, or neither."))
    zone = (time_zone or "").strip() or None
    if zone is not None and not time_zones.known_zone(zone):
        problems["time_zone"] = gettext(N_("{zone} is not a known time zone; choose one such as "
                                           "Europe/Kaliningrad or Asia/Vladivostok.")).format(zone=zone)
    if problems:
        raise FieldErrors(problems)
    return ClinicInput(name=name, region_id=region, city=city.strip(), address=address.strip(),
                       latitude=lat, longitude=lon, is_competitor=is_competitor, active=active, time_zone=zone)


def list_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(col(Region.name))).all())


def get_region(session: Session, region_id: int) -> Region:
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound()
    return region


def _region_name(session: Session, name: str, *, other_than: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise FieldErrors({"name": gettext(N_("Enter the region's name."))})
    if len(name) > REGION_MAX:
        raise FieldErrors({"name": gettext(N_("At most {n} characters.")).format(n=REGION_MAX)})
    same = _region_by_name(session, name)
    if same is not None and same.id != other_than:
        raise FieldErrors({"name": gettext(N_("A region with this name already exists."))})
    return name


def _region_by_name(session: Session, name: str) -> Region | None:
    # Compared in Python: SQLite's lower() folds ASCII only, and region names are Cyrillic.
    wanted = " ".join(name.split()).casefold()
    return next((r for r in session.exec(select(Region)).all() if r.name.casefold() == wanted), None)


def create_region(session: Session, *, name: str, actor: User | None) -> Region:
    """A new region; names are unique regardless of case. Raises FieldErrors."""
    region = Region(name=_region_name(session, name))
    session.add(region)
    session.flush()
    trail.record(session, actor=actor, verb="region.create", entity="region", entity_id=region.id,
                 name=region.name)
    return region


def rename_region(session: Session, *, region: Region, name: str, actor: User | None) -> Region:
    """Raises FieldErrors when the name is empty or taken by another region."""
    old = region.name
    region.name = _region_name(session, name, other_than=region.id)
    session.add(region)
    trail.record(session, actor=actor, verb="region.rename", entity="region", entity_id=region.id,
                 old=old, new=region.name)
    return region


def region_named(session: Session, name: str, *, actor: User | None) -> Region:
    """The region with this name (any case), created when missing: integrations name regions."""
    return _region_by_name(session, name) or create_region(session, name=name, actor=actor)


# Branches first, by region and name; a clinic without a region sorts as region "".
CLINIC_ORDER = (SortKey(col(Clinic.is_competitor)), SortKey(func.coalesce(col(Region.name), "")),
                SortKey(col(Clinic.name)), SortKey(col(Clinic.id)))


def _clinics_query(visible: set[int] | None, include_inactive: bool) -> Any:
    query = (select(Clinic, Region.name).join(Region, col(Clinic.region_id) == col(Region.id), isouter=True)
             .order_by(*(key.ordered() for key in CLINIC_ORDER)))
    if visible is not None:
        query = query.where(col(Clinic.id).in_(visible or {-1}))
    if not include_inactive:
        query = query.where(col(Clinic.active))
    return query


def list_clinics(session: Session, *, visible: set[int] | None = None,
                 include_inactive: bool = True) -> list[tuple[Clinic, str]]:
    """Clinics with their region's name, branches first, by region and name; `visible` None = all."""
    return [(clinic, region_name or "") for clinic, region_name
            in session.exec(_clinics_query(visible, include_inactive)).all()]


def clinics_page(session: Session, *, page: PageRequest, visible: set[int] | None = None,
                 include_inactive: bool = True) -> Page[tuple[Clinic, str]]:
    """One page of `list_clinics`, same order. Raises BadPage for a cursor that is not this list's."""
    found = fetch_page(session, _clinics_query(visible, include_inactive), order=CLINIC_ORDER, page=page)
    return found.with_rows([(clinic, region_name or "") for clinic, region_name in found.rows])


def get_clinic(session: Session, clinic_id: int) -> Clinic:
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound()
    return clinic


def create_clinic(session: Session, *, data: ClinicInput, actor: User | None) -> Clinic:
    clinic = Clinic(**data.__dict__)
    session.add(clinic)
    session.flush()
    trail.record(session, actor=actor, verb="clinic.create", entity="clinic", entity_id=clinic.id,
                 name=clinic.name, is_competitor=clinic.is_competitor)
    return clinic


def update_clinic(session: Session, *, clinic: Clinic, data: ClinicInput, actor: User | None) -> Clinic:
    """Overwrite the clinic's fields; the trail keeps what changed (old and new values)."""
    changes = {}
    for field, value in data.__dict__.items():
        if getattr(clinic, field) != value:
            changes[field] = [getattr(clinic, field), value]
            setattr(clinic, field, value)
    session.add(clinic)
    if changes:
        trail.record(session, actor=actor, verb="clinic.update", entity="clinic", entity_id=clinic.id,
                     changes=changes)
    return clinic


def region_name_of(session: Session, clinic: Clinic) -> str:
    region = session.get(Region, clinic.region_id) if clinic.region_id else None
    return region.name if region else ""
