"""Downloads a person can follow (docs/jobs.md): ask for a file, watch its progress, fetch it."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.jobs import service
from app.jobs.models import Job
from app.web.templating import render

router = APIRouter(include_in_schema=False)
Field = Annotated[str | None, Form()]


@router.post("/downloads", name="ask_download")
def ask_download(request: Request, user: CurrentUser, session: SessionDep, kind: Annotated[str, Form()],
                 clinic_id: Field = None, wave: Field = None, checklist: Field = None,
                 region: Field = None) -> Response:
    """Start preparing a file; the answer is its progress page (503 + Retry-After when the queue is down)."""
    job = service.ask_for_file(session, user=user, kind=kind,
                               params={"clinic_id": clinic_id, "wave": wave, "checklist": checklist, "region": region})
    return RedirectResponse(request.url_for("download_page", job_id=job.id), status_code=303)


def _page(request: Request, job: Job) -> HTMLResponse:
    return render(request, "jobs/download.html", fragment="jobs/_download.html", job=job,
                  pending=job.status in service.PENDING)


@router.get("/downloads/{job_id}", name="download_page", response_class=HTMLResponse)
def download_page(request: Request, job_id: int, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    """The job's progress; htmx polls the fragment until the file is ready or the job failed."""
    return _page(request, service.job_of(session, user=user, job_id=job_id))


@router.get("/downloads/{job_id}/file", name="download_file")
def download_file(job_id: int, user: CurrentUser, session: SessionDep) -> FileResponse:
    job = service.job_of(session, user=user, job_id=job_id)
    path = service.file_of(session, user=user, job=job)
    return FileResponse(path, media_type=job.media_type, filename=job.download_name)


@router.post("/downloads/{job_id}/retry", name="retry_download")
def retry_download(request: Request, job_id: int, user: CurrentUser, session: SessionDep) -> Response:
    job = service.retry(session, job=service.job_of(session, user=user, job_id=job_id))
    return RedirectResponse(request.url_for("download_page", job_id=job.id), status_code=303)
