"""Admin pages for clinics (branches and competitors) and regions."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import AdminUser
from app.clinics import service, time_zones
from app.clinics.models import Clinic
from app.db import SessionDep
from app.settings import get_settings
from app.web import choices, paging
from app.web.templating import render

router = APIRouter(include_in_schema=False)

BLANK = {"name": "", "region_id": "", "city": "", "address": "", "latitude": "", "longitude": "",
         "is_competitor": False, "active": True, "time_zone": ""}


def _list_page(request: Request, session: Session, *, status_code: int = 200,
               region_errors: dict | None = None, region_form: dict | None = None) -> Response:
    # One list, branches first: a page may end inside the branches or start inside the competitors.
    clinics = service.clinics_page(session, page=paging.page_request(request.query_params.get("limit"),
                                                                     request.query_params.get("cursor")))
    return render(request, "admin/clinics.html", status_code=status_code, listing=clinics,
                  branches=[row for row in clinics.rows if not row[0].is_competitor],
                  competitors=[row for row in clinics.rows if row[0].is_competitor],
                  regions=service.list_regions(session), region_errors=region_errors or {},
                  region_form=region_form or {}, default_zone=get_settings().default_time_zone)


def _form_page(request: Request, session: Session, *, clinic: Clinic | None, form: dict,
               errors: dict | None = None, status_code: int = 200) -> Response:
    return render(request, "admin/clinic_form.html", status_code=status_code, clinic=clinic, form=form,
                  errors=errors or {}, regions=choices.for_field(request, session, "regions", "region_id",
                                                                 form.get("region_id")),
                  zones=time_zones.zone_names(), default_zone=get_settings().default_time_zone)


@router.get("/admin/clinics", name="admin_clinics")
def clinics_page(request: Request, admin: AdminUser, session: SessionDep) -> Response:
    return _list_page(request, session)


@router.get("/admin/clinics/new", name="admin_clinic_new")
def new_clinic_page(request: Request, admin: AdminUser, session: SessionDep,
                    competitor: bool = False) -> Response:
    return _form_page(request, session, clinic=None, form=BLANK | {"is_competitor": competitor})


def _submitted(name: str, region_id: str, city: str, address: str, latitude: str, longitude: str,
               is_competitor: bool, active: bool, time_zone: str) -> dict:
    return {"name": name, "region_id": region_id, "city": city, "address": address, "latitude": latitude,
            "longitude": longitude, "is_competitor": is_competitor, "active": active, "time_zone": time_zone}


@router.post("/admin/clinics", name="admin_clinic_create")
def create_clinic(request: Request, admin: AdminUser, session: SessionDep, name: Annotated[str, Form()] = "",
                  region_id: Annotated[str, Form()] = "", city: Annotated[str, Form()] = "",
                  address: Annotated[str, Form()] = "", latitude: Annotated[str, Form()] = "",
                  longitude: Annotated[str, Form()] = "", is_competitor: Annotated[bool, Form()] = False,
                  active: Annotated[bool, Form()] = False, time_zone: Annotated[str, Form()] = "") -> Response:
    form = _submitted(name, region_id, city, address, latitude, longitude, is_competitor, active, time_zone)
    try:
        data = service.clinic_input(session, **form)
    except service.FieldErrors as error:
        return _form_page(request, session, clinic=None, form=form, errors=error.by_field, status_code=422)
    service.create_clinic(session, data=data, actor=admin)
    return RedirectResponse(request.url_for("admin_clinics"), status_code=303)


@router.get("/admin/clinics/{clinic_id}", name="admin_clinic_edit")
def edit_clinic_page(request: Request, clinic_id: int, admin: AdminUser, session: SessionDep) -> Response:
    clinic = service.get_clinic(session, clinic_id)
    form = {field: getattr(clinic, field) for field in BLANK}
    for key in ("region_id", "latitude", "longitude", "time_zone"):
        form[key] = "" if form[key] is None else form[key]
    return _form_page(request, session, clinic=clinic, form=form)


@router.post("/admin/clinics/{clinic_id}", name="admin_clinic_update")
def update_clinic(request: Request, clinic_id: int, admin: AdminUser, session: SessionDep,
                  name: Annotated[str, Form()] = "", region_id: Annotated[str, Form()] = "",
                  city: Annotated[str, Form()] = "", address: Annotated[str, Form()] = "",
                  latitude: Annotated[str, Form()] = "", longitude: Annotated[str, Form()] = "",
                  is_competitor: Annotated[bool, Form()] = False,
                  active: Annotated[bool, Form()] = False, time_zone: Annotated[str, Form()] = "") -> Response:
    clinic = service.get_clinic(session, clinic_id)
    form = _submitted(name, region_id, city, address, latitude, longitude, is_competitor, active, time_zone)
    try:
        data = service.clinic_input(session, **form)
    except service.FieldErrors as error:
        return _form_page(request, session, clinic=clinic, form=form, errors=error.by_field, status_code=422)
    service.update_clinic(session, clinic=clinic, data=data, actor=admin)
    return RedirectResponse(request.url_for("admin_clinics"), status_code=303)


@router.post("/admin/regions", name="admin_region_create")
def create_region(request: Request, admin: AdminUser, session: SessionDep,
                  name: Annotated[str, Form()] = "") -> Response:
    try:
        with session.begin_nested():
            service.create_region(session, name=name, actor=admin)
    except service.FieldErrors as error:
        return _list_page(request, session, status_code=422, region_errors={"new": error.by_field["name"]},
                          region_form={"new": name})
    return RedirectResponse(request.url_for("admin_clinics"), status_code=303)


@router.post("/admin/regions/{region_id}", name="admin_region_rename")
def rename_region(request: Request, region_id: int, admin: AdminUser, session: SessionDep,
                  name: Annotated[str, Form()] = "") -> Response:
    region = service.get_region(session, region_id)
    try:
        with session.begin_nested():
            service.rename_region(session, region=region, name=name, actor=admin)
    except service.FieldErrors as error:
        session.refresh(region)
        return _list_page(request, session, status_code=422,
                          region_errors={region_id: error.by_field["name"]}, region_form={region_id: name})
    return RedirectResponse(request.url_for("admin_clinics"), status_code=303)
