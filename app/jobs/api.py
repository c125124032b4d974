"""Downloads over the API (docs/jobs.md): `POST` answers `202 Accepted` with the status URL."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.jobs import service
from app.jobs.models import Job

router = APIRouter(prefix="/api/v1/downloads", tags=["downloads"])


class DownloadAsk(BaseModel):
    kind: str = Field(max_length=40, description="clinic_pdf, journey_pdf, xlsx or csv")
    params: dict[str, str | None] = Field(default_factory=dict,
                                          description="clinic_id, wave, checklist, region as the kind takes them")


class DownloadRead(BaseModel):
    id: int
    kind: str
    params: dict[str, str | None]
    status: str
    progress: int
    error: str | None
    attempts: int
    status_url: str
    file_url: str | None
    download_name: str | None
    size: int | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None


def _read(request: Request, job: Job) -> DownloadRead:
    done = job.status == "done"
    return DownloadRead(
        id=job.id or 0, kind=job.kind, params=job.params, status=job.status, progress=job.progress, error=job.error,
        attempts=job.attempts, status_url=str(request.url_for("api_download", job_id=job.id)),
        file_url=str(request.url_for("api_download_file", job_id=job.id)) if done else None,
        download_name=job.download_name, size=job.size, created_at=job.created_at, finished_at=job.finished_at,
        expires_at=job.expires_at)


def _accepted(request: Request, job: Job) -> JSONResponse:
    body: dict[str, Any] = _read(request, job).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": body["status_url"]})


@router.post("", status_code=202, response_model=DownloadRead, name="api_ask_download",
             responses={202: {"description": "recorded and queued; poll status_url"},
                        503: {"description": "the job queue cannot be reached (Retry-After)"}})
def ask(request: Request, body: DownloadAsk, user: CurrentUser, session: SessionDep) -> Response:
    return _accepted(request, service.ask_for_file(session, user=user, kind=body.kind, params=body.params))


@router.get("/{job_id}", response_model=DownloadRead, name="api_download")
def status(request: Request, job_id: int, user: CurrentUser, session: SessionDep) -> DownloadRead:
    return _read(request, service.job_of(session, user=user, job_id=job_id))


@router.get("/{job_id}/file", name="api_download_file", response_class=FileResponse,
            responses={409: {"description": "not ready yet"}, 410: {"description": "expired"}})
def file(job_id: int, user: CurrentUser, session: SessionDep) -> FileResponse:
    job = service.job_of(session, user=user, job_id=job_id)
    return FileResponse(service.file_of(session, user=user, job=job), media_type=job.media_type,
                        filename=job.download_name)


@router.post("/{job_id}/retry", status_code=202, response_model=DownloadRead, name="api_retry_download",
             responses={409: {"description": "the job has not failed"}})
def retry(request: Request, job_id: int, user: CurrentUser, session: SessionDep) -> Response:
    return _accepted(request, service.retry(session, job=service.job_of(session, user=user, job_id=job_id)))
