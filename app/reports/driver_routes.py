"""The key-driver page: which items go with how patients feel, across the waves the reader chooses."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.accounts.deps import ReportReader
from app.db import SessionDep
from app.errors import Invalid
from app.i18n import N_, gettext, localized
from app.reports import charts, drivers, lookups
from app.web import choices as lookup_choices
from app.web.templating import render

router = APIRouter(include_in_schema=False)


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
    chosen = [w.id for w in page.waves] if wave else []  # none ticked: every wave with approved audits
    choices = lookups.filter_choices(request, session, waves=chosen,
                                     region=page.region.id if page.region else None)
    return render(request, "reports/drivers.html", block="content", drivers=page, rows=rows, chart=chart,
                  item_titles=texts, tp_titles={k: localized(t) or k for k, t in page.touchpoint_titles.items()},
                  choices=choices, fmt=charts.fmt, signed=charts.signed,
                  clinics=lookup_choices.for_field(request, session, "branches", "clinic",
                                                   page.clinic.id if page.clinic else None))
