"""The phone's offline support: the service worker script, the list of pages it keeps (the shopper's
open visits), and the upload of one photo from the phone's outbox.

Every save from the outbox is answered with the header X-Applied-Change naming the change (or upload)
the server now has; the phone clears an entry only on that header. A page without it (a captive
portal, a proxy's error page) acknowledges nothing. A refused entry is answered with
X-Refused-Change and the item's fragment carrying the reason; a change older than the stored answer
with X-Conflicting-Change (409) and the item showing the stored answer: the phone keeps it and shows
it to the shopper, it is never "saved".
"""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from app.accounts.deps import ShopperUser
from app.checklists import versions as checklists
from app.db import SessionDep
from app.errors import Invalid
from app.fieldwork import evidence, offline, screens
from app.fieldwork.deps import OwnEditableAudit, PostedForm
from app.fieldwork.uploads import LimitedBodyRoute
from app.i18n import N_
from app.web import static_files
from app.web.templating import render
from app.web.urls import url_for

router = APIRouter(include_in_schema=False, route_class=LimitedBodyRoute)

WORKER = Path(static_files.STATIC_DIR) / "sw.js"
SHELL = ["app.css", "htmx.min.js", "app.js", "form.js", "offline.js"]
HEADERS = {"applied": "X-Applied-Change", "refused": "X-Refused-Change", "conflict": "X-Conflicting-Change"}


def acknowledge(response: Response, change_id: str | None, *, outcome: str, status: str) -> Response:
    """Name the change the response answers for (ids are kept to 64 characters, as stored); outcome
    is applied, refused or conflict."""
    if change_id:
        response.headers[HEADERS[outcome]] = change_id[:64]
        response.headers["X-Audit-Status"] = status
    return response


@router.get("/sw.js", name="service_worker")
def service_worker() -> FileResponse:
    """The worker's own URL is not fingerprinted: the browser checks it for updates itself."""
    return FileResponse(WORKER, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@router.get("/visits/offline-manifest", name="offline_manifest")
def offline_manifest(request: Request, user: ShopperUser, session: SessionDep) -> JSONResponse:
    """The app's files and the pages of every open visit, for the service worker to keep."""
    pages = [str(url_for(request, "shopper_home").path)]
    for visit in offline.open_visits(session, shopper=user):
        audit_id = visit.audit_id
        pages += [url_for(request, name, audit_id=audit_id).path
                  for name in ("visit", "visit_brief", "visit_overview")]
        pages += [url_for(request, "visit_touchpoint", audit_id=audit_id, touchpoint_key=key).path
                  for key in visit.touchpoint_keys]
        pages += [url_for(request, "evidence_thumb", evidence_id=e).path for e in visit.thumb_ids]
    return JSONResponse({"user": user.id, "files": [static_files.url(name) for name in SHELL], "pages": pages},
                        headers={"Cache-Control": "no-store"})


@router.post("/visits/{audit_id}/items/{item_key}/files", name="save_item_file")
def save_item_file(request: Request, audit: OwnEditableAudit, item_key: str, form: PostedForm,
                   session: SessionDep, user: ShopperUser) -> Response:
    """One photo or recording from the outbox (field `file`, with `client_upload_id`): stored once per
    upload id, a resend answers the same. The item's fragment with X-Applied-Change, or with the
    reason and X-Refused-Change (422) when the file is not a picture or recording."""
    upload_id, upload = form.get("client_upload_id"), form.get("file")
    if not isinstance(upload_id, str) or not upload_id or not isinstance(upload, UploadFile):
        raise Invalid(N_("Send the file in the field \"file\" with its client_upload_id."))
    item = checklists.item_for(session, audit.checklist_version_id, item_key)
    error = None
    try:
        evidence.add_evidence(session, audit=audit, upload=upload.file, item_key=item.key, actor=user,
                              client_upload_id=upload_id)
    except Invalid as bad:
        error = bad.text()
    touchpoint = next(tp for tp in checklists.touchpoints_of(session, audit.checklist_version_id)
                      if tp.id == item.touchpoint_id)
    response = render(request, "fieldwork/_item_saved.html", view=screens.item_view(session, audit, item, error=error),
                      audit=audit, progress=screens.progress(session, audit), current=touchpoint.key,
                      status_code=422 if error else 200)
    return acknowledge(response, upload_id, outcome="refused" if error else "applied", status=audit.status)
