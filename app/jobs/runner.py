"""A worker running a job a person asked for (docs/jobs.md). Safe to run twice:

- a run claims the job (queued -> running, in one UPDATE), so two deliveries of one message, or a
  message re-sent for a job that meanwhile ran, do nothing the second time;
- the file is written under a name of its own and renamed into place; finishing is again one
  conditional UPDATE, so of two runs that both finish, one file is kept and the other removed;
- a heartbeat thread shows the worker alive while a step is slow (Chromium); a job silent past
  MP_JOB_STALE_SECONDS is queued again (restart_stale_jobs), so a SIGKILLed worker's job completes.

Every database write here is a short transaction in the write turn; the build itself reads on
reader transactions, so nothing the worker does makes a request wait.
"""

import logging
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from app import i18n
from app.accounts.models import User
from app.db import read_session, write_session
from app.db_types import utcnow
from app.errors import DomainError
from app.jobs import queue
from app.jobs.builders import BuildContext, Built, builder_for
from app.jobs.models import Job, JobStatus
from app.jobs.service import downloads_dir, expired_jobs, stale_jobs
from app.settings import get_settings

log = logging.getLogger("mystery_patient.jobs")
PROGRESS_EVERY_S = 0.5


class JobNotCommittedYet(Exception):
    """The request that recorded the job has not committed yet (or rolled back): huey retries."""


def _claim(job_id: int) -> Job | None:
    """Mark the job running if it is queued; None when another run has it or it is finished."""
    with write_session() as session:
        claimed = session.execute(update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
                                  .values(status=JobStatus.running, attempts=Job.attempts + 1,  # type: ignore[operator]
                                          heartbeat_at=utcnow(), progress=0, error=None))
        job = session.get(Job, job_id)
        if job is None:
            raise JobNotCommittedYet(job_id)
        return job if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def _touch(job_id: int, *, progress: int | None = None) -> None:
    values: dict[str, object] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
    with write_session() as session:
        session.execute(update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.running).values(**values))


class _Heartbeat:
    """Touches the job every few seconds while the build runs, and records progress at most every
    PROGRESS_EVERY_S."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.interval = max(0.5, min(10.0, get_settings().job_stale_seconds / 4))
        self.stop = threading.Event()
        self.last_progress = 0.0
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                _touch(self.job_id)
            except Exception:  # a busy moment; the next beat tries again
                log.warning("job %s: heartbeat not recorded", self.job_id, exc_info=True)

    def progress(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last_progress >= PROGRESS_EVERY_S:
            self.last_progress = now
            _touch(self.job_id, progress=max(1, min(99, round(fraction * 100))))

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_job(job_id: int) -> None:
    """Run the job once, whatever happened to earlier runs; record its file or what failed."""
    job = _claim(job_id)
    if job is None:
        log.info("job %s: already taken or finished, nothing to do", job_id)
        return
    token = secrets.token_hex(8)
    part = downloads_dir() / f"{job_id}-{token}.part"
    try:
        with _Heartbeat(job_id) as heartbeat:
            built = _build(job, part, heartbeat.progress)
    except Exception as error:
        part.unlink(missing_ok=True)
        _fail(job, error)
        return
    _finish(job, part, built, token)


def _build(job: Job, part: Path, progress: object) -> Built:
    from app.jobs.requests import worker_request  # late: the whole app, for its templates

    builder = builder_for(job.kind)
    previous = i18n.current_language()
    i18n.set_language(job.language)
    try:
        with read_session() as session, part.open("wb") as out:
            user = session.get(User, job.user_id)
            if user is None or not user.active or user.role not in builder.roles:
                raise DomainError(i18n.N_("The account that asked for this file may no longer read it."))
            context = BuildContext(session=session, user=user, params=job.params, out=out,
                                   progress=progress,  # type: ignore[arg-type]
                                   request=worker_request(user))
            built = builder.build(context)
            session.commit()  # what the build stored on the way (normally nothing: see reports.tasks)
            return built
    finally:
        i18n.set_language(previous)


def _finish(job: Job, part: Path, built: Built, token: str) -> None:
    suffix = Path(built.download_name).suffix
    final = downloads_dir() / f"{job.id}-{token}{suffix}"
    part.replace(final)
    now = utcnow()
    with write_session() as session:
        finished = session.execute(update(Job).where(col(Job.id) == job.id, col(Job.status) != JobStatus.done).values(
            status=JobStatus.done, progress=100, error=None, file_name=final.name, size=final.stat().st_size,
            download_name=built.download_name, media_type=built.media_type, clinic_ids=built.clinic_ids,
            finished_at=now, heartbeat_at=now, expires_at=now + timedelta(hours=get_settings().download_hours)))
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        final.unlink(missing_ok=True)  # another run finished first: its file stands
        log.info("job %s: finished twice, the second file removed", job.id)
    else:
        log.info("job %s (%s) done: %s, %d bytes", job.id, job.kind, final.name, final.stat().st_size)


def _fail(job: Job, error: Exception) -> None:
    if isinstance(error, DomainError):
        previous = i18n.current_language()
        i18n.set_language(job.language)
        message = error.text()
        i18n.set_language(previous)
        log.warning("job %s (%s) failed: %s", job.id, job.kind, message)
    else:
        message = f"{type(error).__name__}: {error}"[:400]
        log.exception("job %s (%s) crashed", job.id, job.kind, exc_info=error)
    with write_session() as session:
        now = utcnow()  # a failed job is pruned like a file (unless retried before)
        session.execute(update(Job).where(col(Job.id) == job.id, col(Job.status) == JobStatus.running).values(
            status=JobStatus.failed, error=message[:500], finished_at=now,
            expires_at=now + timedelta(hours=get_settings().download_hours)))


def restart_stale_jobs() -> int:
    """Queue again every pending job nobody has shown progress on for MP_JOB_STALE_SECONDS."""
    from app.jobs.tasks import run_job as run_job_task

    stale_after = timedelta(seconds=get_settings().job_stale_seconds)
    with write_session() as session:
        jobs = stale_jobs(session, stale_after=stale_after)
        for job in jobs:
            job.status, job.heartbeat_at = JobStatus.queued, utcnow()
            session.add(job)
            queue.enqueue(run_job_task.s(job.id))  # QueueUnavailable rolls the marks back
    for job in jobs:
        log.warning("job %s (%s) was left half done (attempt %d): queued again", job.id, job.kind, job.attempts)
    return len(jobs)


def prune_downloads() -> int:
    """Delete expired jobs and their files; returns how many."""
    with write_session() as session:
        jobs = expired_jobs(session)
        for job in jobs:
            if job.file_name:
                (downloads_dir() / job.file_name).unlink(missing_ok=True)
            session.delete(job)
    # Parts left by a killed worker: nothing refers to them once their job has moved on.
    cutoff = time.time() - 24 * 3600
    for leftover in downloads_dir().glob("*.part"):
        if leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)
    return len(jobs)
