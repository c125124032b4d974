"""JSON API for clinics: everyone with a network view reads (within scope), admins create."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.accounts import scope
from app.accounts.deps import AdminUser, require
from app.accounts.models import Role, User
from app.clinics import service, time_zones
from app.clinics.models import Clinic
from app.db import SessionDep
from app.errors import NotFound
from app.web.paging import PAGED, PageParams, link_next

router = APIRouter(prefix="/api/v1", tags=["clinics"])

ClinicReader = Annotated[User, Depends(require(Role.admin, Role.qa_lead, Role.director, Role.manager))]


class ClinicRead(BaseModel):
    id: int
    name: str
    region: str
    city: str
    is_competitor: bool
    active: bool
    time_zone: str | None = Field(description="the clinic's own IANA zone; null = the network's default")
    effective_time_zone: str = Field(description="the zone its days and times are in: its own, else the default")


class ClinicCreate(BaseModel):
    name: str = Field(min_length=1, max_length=service.NAME_MAX)
    region: str = Field(min_length=1, max_length=service.REGION_MAX)
    city: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    is_competitor: bool = False
    active: bool = True
    time_zone: str | None = Field(default=None, max_length=64,
                                  description="IANA name, e.g. Asia/Vladivostok; empty = the network's default")


class ClinicChange(BaseModel):
    """The fields to change; a field left out keeps its value (`null` time zone: the network's)."""
    name: str | None = Field(default=None, min_length=1, max_length=service.NAME_MAX)
    region: str | None = Field(default=None, min_length=1, max_length=service.REGION_MAX)
    city: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    is_competitor: bool | None = None
    active: bool | None = None
    time_zone: str | None = Field(default=None, max_length=64,
                                  description="IANA name, e.g. Asia/Vladivostok; null or empty = the network's default")


NULLABLE = ("time_zone", "latitude", "longitude")  # null means "none" here, not "unchanged"


def _read(session: Session, clinic: Clinic, region: str | None = None) -> ClinicRead:
    return ClinicRead(id=clinic.id or 0, name=clinic.name,
                      region=region if region is not None else service.region_name_of(session, clinic),
                      city=clinic.city, is_competitor=clinic.is_competitor, active=clinic.active,
                      time_zone=clinic.time_zone or None, effective_time_zone=time_zones.zone_of(clinic).key)


@router.get("/clinics", response_model=list[ClinicRead], responses=PAGED)
def list_clinics(request: Request, response: Response, user: ClinicReader, session: SessionDep,
                 page: PageParams) -> list[ClinicRead]:
    """Clinics the caller may see: admin and qa_lead all, a director their scope, a manager their own.
    Branches first, by region and name, one page at a time."""
    found = service.clinics_page(session, page=page, visible=scope.visible_clinic_ids(session, user))
    link_next(request, response, found)
    return [_read(session, clinic, region) for clinic, region in found.rows]


@router.post("/clinics", response_model=ClinicRead, status_code=201,
             responses={422: {"description": "`detail` lists each wrong field: `[{field, message}]`"}})
def create_clinic(body: ClinicCreate, admin: AdminUser, session: SessionDep) -> ClinicRead:
    """Create a branch or competitor; the region is named and created when it does not exist yet."""
    with session.begin_nested():
        region = service.region_named(session, body.region, actor=admin)
        data = service.clinic_input(session, name=body.name, region_id=region.id, city=body.city,
                                    address=body.address, latitude=body.latitude, longitude=body.longitude,
                                    is_competitor=body.is_competitor, active=body.active,
                                    time_zone=body.time_zone)
        clinic = service.create_clinic(session, data=data, actor=admin)
    return _read(session, clinic, region.name)


def _clinic(session: Session, user: User, clinic_id: int) -> Clinic:
    """The clinic, if the caller may see it; else 404, as for one that does not exist."""
    clinic = session.get(Clinic, clinic_id) if clinic_id < 2**31 else None
    if clinic is None or not scope.can_see_clinic(session, user, clinic.id or 0):
        raise NotFound()
    return clinic


@router.get("/clinics/{clinic_id}", response_model=ClinicRead, responses={404: {}})
def get_clinic(clinic_id: int, user: ClinicReader, session: SessionDep) -> ClinicRead:
    return _read(session, _clinic(session, user, clinic_id))


@router.patch("/clinics/{clinic_id}", response_model=ClinicRead,
              responses={404: {}, 422: {"description": "`detail` lists each wrong field: `[{field, message}]`"}})
def change_clinic(clinic_id: int, body: ClinicChange, admin: AdminUser, session: SessionDep) -> ClinicRead:
    """Change some of a clinic's fields, its time zone for one; the rest keep their values. The
    region is named and created when it does not exist yet, as on creation."""
    clinic = _clinic(session, admin, clinic_id)
    given = body.model_dump(exclude_unset=True)
    with session.begin_nested():
        region = service.region_named(session, given["region"], actor=admin) if given.get("region") else None
        fields: dict[str, Any] = {key: getattr(clinic, key) for key in ClinicChange.model_fields if key != "region"}
        fields |= {key: value for key, value in given.items() if key != "region" and
                   (value is not None or key in NULLABLE)}
        data = service.clinic_input(session, region_id=region.id if region else clinic.region_id, **fields)
        service.update_clinic(session, clinic=clinic, data=data, actor=admin)
    return _read(session, clinic)
