"""The key-driver page: which items go with how patients feel, across the waves the reader chooses."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from app.accounts.deps import ReportReader
from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.clinics.models import Clinic
from app.db import SessionDep
from app.errors import Invalid
from app.i18n import N_, gettext, localized
from app.reports import charts, drivers, lookups
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _clinic_choices(session: Session, user: User) -> list[Clinic]:
    visible = visible_clinic_ids(session, user)
    query = select(Clinic).where(col(Clinic.is_competitor).is_(False)).order_by(col(Clinic.name))
    if visible is not None:
        query = query.where(col(Clinic.id).in_(visible))
    return list(session.exec(query).all())


def _clinic_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit():
        raise Invalid(N_("{value} is not a clinic number."), value=value)
    return int(value)


@router.get("/reports/drivers", name="key_drivers", response_class=HTMLResponse)
def key_driver_page(request: Request, user: ReportReader, session: SessionDep,
                    wave: Annotated[list[str] | None, Query()] = None, checklist: str | None = None,
                    region: str | None = None, clinic: str | None = None) -> HTMLResponse:
    page = drivers.build_driver_page(session, user=user, waves=[w for w in wave or [] if w.strip()],
                                     checklist=(checklist or "").strip() or None,
                                     region=(region or "").strip() or None, clinic=_clinic_id(clinic))
    texts = {k: localized(t) or k for k, t in page.item_texts.items()}
    rows = page.report.drivers if page.report else []
    measured = [d for d in rows if d.emotion.diff is not None]
    points = [charts.DriverPoint(n, texts.get(d.item_key, d.item_key), d.pass_rate, d.emotion.diff or 0.0,
                                 d.fix_first) for n, d in enumerate(measured, start=1)]
    chart = charts.driver_chart(points, target=page.report.target if page.report else 0.0,
                                label=gettext("Importance and performance of each item"),
                                x_title=gettext("Pass rate"), y_title=gettext("Emotion: passed − failed"),
                                fix_first=gettext("Fix first"))
    choices = lookups.filter_choices(session, clinic_ids=visible_clinic_ids(session, user))
    return render(request, "reports/drivers.html", block="content", drivers=page, rows=rows, chart=chart,
                  item_titles=texts, tp_titles={k: localized(t) or k for k, t in page.touchpoint_titles.items()},
                  choices=choices, clinics=_clinic_choices(session, user), fmt=charts.fmt, signed=charts.signed,
                  chosen_waves={w.id for w in page.waves})
