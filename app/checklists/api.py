"""JSON API for checklists (docs/design.md §8): list, publish a YAML file, read a version as JSON."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import col, func, select

from app.accounts.deps import ChecklistReader, QaUser
from app.checklists import files, versions
from app.checklists.models import Checklist, ChecklistVersion
from app.checklists.schema import ChecklistDoc
from app.db import SessionDep
from app.errors import Invalid
from app.i18n import N_
from app.web.paging import PAGED, PageParams, SortKey, fetch_page, link_next

router = APIRouter(prefix="/api/v1", tags=["checklists"])

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
MAX_FILE_BYTES = 2 * 1024 * 1024


class ChecklistSummary(BaseModel):
    slug: str
    version: int
    title: dict[str, str]


class ChecklistPublished(BaseModel):
    slug: str
    version: int
    created: bool


class ChecklistRead(ChecklistDoc):
    """The stored canonical document (every default spelled out) and its version number."""

    version: int


class UploadInvalid(Invalid):
    message = N_("Send the checklist as YAML: a raw application/yaml body or a multipart field 'file'.")


class UploadTooLarge(Invalid):
    status_code = 413
    message = N_("The checklist file is too large.")


class ChecklistUpload(BaseModel):
    filename: str
    text: str


async def read_upload(request: Request) -> ChecklistUpload:
    """The YAML text of a raw body or of the multipart field `file`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise UploadInvalid()
        raw, filename = await upload.read(MAX_FILE_BYTES + 1), upload.filename or "upload.yaml"
    elif content_type in YAML_TYPES:
        raw, filename = await request.body(), "upload.yaml"
    else:
        raise UploadInvalid()
    if len(raw) > MAX_FILE_BYTES:
        raise UploadTooLarge()
    try:
        return ChecklistUpload(filename=filename, text=raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid(N_("The checklist file is not UTF-8 text.")) from None


Upload = Annotated[ChecklistUpload, Depends(read_upload)]
_YAML_BODY = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.get("/checklists", response_model=list[ChecklistSummary], responses=PAGED)
def list_checklists(request: Request, response: Response, user: ChecklistReader, session: SessionDep,
                    page: PageParams) -> list[ChecklistSummary]:
    """The latest published version of every checklist, by slug, one page at a time."""
    latest = (select(ChecklistVersion.checklist_id, func.max(ChecklistVersion.version).label("number"))
              .where(ChecklistVersion.status == "published").group_by(col(ChecklistVersion.checklist_id))
              .subquery())
    query = (select(Checklist.slug, ChecklistVersion.version, ChecklistVersion.title)
             .join(ChecklistVersion, col(ChecklistVersion.checklist_id) == Checklist.id)
             .join(latest, (latest.c.checklist_id == ChecklistVersion.checklist_id)
                   & (latest.c.number == ChecklistVersion.version)))
    found = fetch_page(session, query, order=(SortKey(col(Checklist.slug)), SortKey(col(Checklist.id))), page=page)
    link_next(request, response, found)
    return [ChecklistSummary(slug=slug, version=number or 0, title=title) for slug, number, title in found.rows]


@router.post("/checklists", response_model=ChecklistPublished, status_code=201, openapi_extra=_YAML_BODY,
             responses={200: {"model": ChecklistPublished, "description": "Unchanged: the existing version"},
                        422: {"description": '{"detail": [{"line", "key", "message"}]}'}})
def publish_checklist(user: QaUser, upload: Upload, session: SessionDep) -> Any:
    """Publish a checklist file as the next version; the same content again is 200 and unchanged."""
    result = files.import_checklist_text(session, upload.text, upload.filename, actor=user)
    body = ChecklistPublished(slug=versions.slug_of(session, result.version),
                              version=result.version.version or 0, created=result.created)
    return JSONResponse(body.model_dump(), status_code=201 if result.created else 200)


@router.get("/checklists/{slug}", response_model=ChecklistRead, response_model_exclude_none=True)
def read_checklist(slug: str, user: ChecklistReader, session: SessionDep,
                   version: int | None = None) -> ChecklistRead:
    """A version as JSON, the same structure as the YAML (the latest unless `?version=N`)."""
    stored = versions.get_version(session, slug, version)
    return ChecklistRead.model_validate({**stored.document, "version": stored.version})
