"""The shopper's pages: my visits, the scenario brief, the visit with its facts, the overview of what
is missing, and submit. The form screens are in form_routes.py, files in media_routes.py."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import ShopperUser
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.clinics.time_zones import Now
from app.db import SessionDep
from app.errors import Invalid
from app.fieldwork import assignments, form_routes, media_routes, offline_routes, screens, submission, visits
from app.fieldwork.deps import OwnAudit, OwnEditableAudit, PostedForm
from app.i18n import N_
from app.web.paging import PageParams
from app.web.templating import render
from app.web.urls import url_for

OFFSET = re.compile(r"-?[0-9]{1,4}")
MAX_OFFSET_MINUTES = 14 * 60
# A visit happens in this era; a year 1 or 9999 time would overflow when moved to UTC.
EARLIEST_VISIT, LATEST_VISIT = date(2000, 1, 1), date(2999, 12, 31)

router = APIRouter(include_in_schema=False)
router.include_router(offline_routes.router)  # first: /visits/offline-manifest is not an audit id
router.include_router(form_routes.router)
router.include_router(media_routes.router)


def _visit_redirect(request: Request, audit_id: int | None) -> RedirectResponse:
    return RedirectResponse(str(url_for(request, "visit", audit_id=audit_id)), status_code=303)


@router.get("/visits", name="shopper_home")
def shopper_home(request: Request, user: ShopperUser, session: SessionDep, page: PageParams) -> Response:
    """One page of the shopper's visits, grouped as the order goes (returned, in progress, to do,
    submitted): a group that goes on past the page goes on at the top of the next one."""
    found = assignments.home_page(session, shopper=user, page=page)
    return render(request, "fieldwork/home.html", block="visits", groups=screens.home_groups(session, found.rows),
                  counts=assignments.home_counts(session, shopper=user), listing=found)


@router.get("/visits/{audit_id}", name="visit")
def visit_page(request: Request, audit: OwnAudit, session: SessionDep) -> Response:
    visit = assignments.visit_of(session, audit)
    review, comments = screens.qa_comments(session, audit)
    return render(request, "fieldwork/visit.html", visit=visit, audit=audit,
                  progress=screens.progress(session, audit), map_url=screens.map_link(visit),
                  distance=visits.distance_to_clinic(audit, visit.clinic), review=review,
                  audit_comment=comments.get(None), zone=time_zones.zone_of(visit.clinic),
                  editable=audit.status in ("draft", "returned"))


@router.get("/visits/{audit_id}/brief", name="visit_brief")
def brief_page(request: Request, audit: OwnAudit, session: SessionDep) -> Response:
    return render(request, "fieldwork/brief.html", visit=assignments.visit_of(session, audit), audit=audit)


@router.get("/visits/{audit_id}/overview", name="visit_overview")
def overview_page(request: Request, audit: OwnAudit, session: SessionDep, refused: bool = False) -> Response:
    gaps = submission.missing(session, audit) if audit.status in ("draft", "returned") else []
    titles = {p.touchpoint.key: p.touchpoint.title for p in screens.progress(session, audit)}
    return render(request, "fieldwork/overview.html", audit=audit, visit=assignments.visit_of(session, audit),
                  progress=screens.progress(session, audit), gaps=gaps, titles=titles,
                  refused=refused and bool(gaps))


@router.post("/visits/{audit_id}/submit", name="submit_visit")
def submit_visit(request: Request, audit: OwnAudit, session: SessionDep, user: ShopperUser) -> Response:
    """303 to the visit page once submitted (a repeat too); refused for gaps, 303 to the overview that
    lists them, so a reload does not post again and the address is a page of its own."""
    try:
        submission.submit_audit(session, audit=audit, actor=user)
    except Invalid:
        target = f"{request.url_for('visit_overview', audit_id=audit.id).path}?refused=1"
        response = RedirectResponse(target, status_code=303)
    else:
        response = _visit_redirect(request, audit.id)
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Redirect"] = response.headers["location"]
    return response


def _local_time(text: str | None, offset_minutes: int | None, clinic: Clinic | None) -> datetime | None:
    """A datetime-local field (no zone) read at the given offset (minutes east of UTC), or without
    one as the clinic's wall clock, with the clinic's offset on that date (summer time included)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as bad:
        raise Invalid(N_("The time {value} is not valid."), value=text) from bad
    if not EARLIEST_VISIT <= moment.date() <= LATEST_VISIT:
        raise Invalid(N_("The time {value} is not valid."), value=text)
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    if offset_minutes is not None:
        return moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))).astimezone(UTC)
    return time_zones.from_local(moment, clinic)


@router.post("/visits/{audit_id}/times", name="save_visit_times")
def save_visit_times(request: Request, audit: OwnEditableAudit, form: PostedForm, session: SessionDep,
                     user: ShopperUser, now: Now) -> Response:
    """Start and end of the visit: typed times, or the "now" buttons (server clock). The form shows
    and takes the clinic's wall clock; a client may send its own offset as `tz_offset`."""
    offset_text = form.get("tz_offset")
    # Minutes east of UTC: real zones span −12:00..+14:00; anything else (a typo, a forged form)
    # falls back to the clinic's zone rather than failing.
    offset = int(offset_text) if isinstance(offset_text, str) and OFFSET.fullmatch(offset_text) \
        and abs(int(offset_text)) <= MAX_OFFSET_MINUTES else None
    clinic = session.get(Clinic, audit.clinic_id)
    started = _local_time(_field(form, "started_at"), offset, clinic)
    ended = _local_time(_field(form, "ended_at"), offset, clinic)
    button = form.get("now")
    if button == "start":
        started = now
    elif button == "end":
        ended = now
        started = started or audit.visit_started_at
    visits.set_visit_times(session, audit=audit, started_at=started, ended_at=ended, actor=user)
    return _visit_redirect(request, audit.id)


def _field(form: PostedForm, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


@router.post("/visits/{audit_id}/checkin", name="visit_checkin")
def visit_checkin(request: Request, audit: OwnEditableAudit, form: PostedForm, session: SessionDep,
                  user: ShopperUser) -> Response:
    """The phone's location, sent by the check-in button once the shopper allowed it."""
    try:
        latitude = float(_field(form, "latitude") or "")
        longitude = float(_field(form, "longitude") or "")
        accuracy_text = _field(form, "accuracy")
        accuracy = float(accuracy_text) if accuracy_text else None
    except ValueError as bad:
        raise Invalid(N_("The location is not valid.")) from bad
    visits.check_in(session, audit=audit, latitude=latitude, longitude=longitude, accuracy_m=accuracy,
                    actor=user)
    return _visit_redirect(request, audit.id)
