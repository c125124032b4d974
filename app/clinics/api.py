"""JSON API for clinics: everyone with a network view reads (within scope), admins create."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.accounts import scope
from app.accounts.deps import AdminUser, require
from app.accounts.models import Role, User
from app.clinics import service, time_zones
from app.clinics.models import Clinic
from app.db import SessionDep
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
