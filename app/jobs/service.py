"""Jobs a person asks for (docs/jobs.md): recorded with the request, run by a worker, the file
served back only to its asker and only while their scope still covers it."""

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.db_types import utcnow
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.i18n import N_, current_language
from app.jobs import queue
from app.jobs.builders import Params, builder_for
from app.jobs.models import Job, JobStatus
from app.settings import get_settings

PENDING = (JobStatus.queued, JobStatus.running)


class DownloadGone(DomainError):
    status_code = 410
    message = N_("This file has expired and was removed; ask for it again.")


class DownloadNotReady(Conflict):
    message = N_("The file is not ready yet.")


def downloads_dir() -> Path:
    path = get_settings().var_dir / "downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean(params: Params, fields: tuple[str, ...]) -> Params:
    """Only the builder's own parameters, blank = not given, so equal asks compare equal."""
    return {name: (str(params.get(name) or "").strip() or None) for name in fields}


def ask_for_file(session: Session, *, user: User, kind: str, params: Params) -> Job:
    """Record a job for the user and put it on the queue; the same ask still pending is answered
    with that job (a double click starts nothing twice). Raises UnknownKind, Forbidden, the
    builder's NotFound, QueueUnavailable (then nothing is recorded: the transaction rolls back).

    The job row is flushed, not committed, before it is enqueued: a worker that picks it up before
    the request commits retries shortly (app.jobs.tasks)."""
    builder = builder_for(kind)
    if user.role not in builder.roles:
        raise Forbidden()
    params = _clean(params, builder.fields)
    builder.check(session, user, params)
    for pending in session.exec(select(Job).where(Job.user_id == user.id, Job.kind == kind,
                                                  col(Job.status).in_(PENDING))):
        if pending.params == params:
            return pending
    job = Job(user_id=user.id or 0, kind=kind, params=params, language=current_language())
    session.add(job)
    session.flush()
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from app.jobs.tasks import run_job  # late: tasks import the builders' domains

    queue.enqueue(run_job.s(job.id))


def retry(session: Session, *, job: Job) -> Job:
    """Start a failed job again. Raises Conflict unless it failed; QueueUnavailable."""
    if job.status != JobStatus.failed:
        raise Conflict(N_("Only a failed job can be started again."))
    job.status, job.error, job.progress, job.heartbeat_at, job.expires_at = JobStatus.queued, None, 0, None, None
    session.add(job)
    session.flush()
    _enqueue(job)
    return job


def job_of(session: Session, *, user: User, job_id: int) -> Job:
    """The user's own job; another user's is 404 (that it exists is theirs to know)."""
    job = session.get(Job, job_id)
    if job is None or job.user_id != user.id:
        raise NotFound()
    return job


def file_of(session: Session, *, user: User, job: Job) -> Path:
    """The prepared file, after checking again that the user may read what it shows: their role
    still may, and every clinic in it is still in their scope. Raises DownloadNotReady,
    DownloadGone, Forbidden."""
    if job.status != JobStatus.done:
        raise DownloadNotReady()
    if job.expires_at is not None and job.expires_at <= utcnow():
        raise DownloadGone()
    builder = builder_for(job.kind)
    if user.role not in builder.roles or not user.active:
        raise Forbidden()
    visible = visible_clinic_ids(session, user)
    if visible is not None and (job.clinic_ids is None or not set(job.clinic_ids) <= visible):
        raise Forbidden(N_("Your access has changed since this file was made; ask for it again."))
    path = downloads_dir() / (job.file_name or "")
    if not job.file_name or not path.is_file():
        raise DownloadGone()
    return path


def expired_jobs(session: Session) -> list[Job]:
    now = utcnow()
    return list(session.exec(select(Job).where(col(Job.expires_at) < now)))


def stale_jobs(session: Session, *, stale_after: timedelta) -> list[Job]:
    """Pending jobs nobody has shown progress on for stale_after: a worker was killed mid-job, or
    the queue lost the message."""
    cutoff = utcnow() - stale_after
    return list(session.exec(select(Job).where(
        col(Job.status).in_(PENDING), func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff)))
