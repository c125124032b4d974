"""The jobs' own tasks: running a job a person asked for, and keeping the jobs table tidy."""

from huey import crontab

from app.jobs import runner
from app.jobs.queue import huey


# Retries cover only a worker faster than the request that recorded the job (see service.ask_for_file);
# a build that fails is recorded as failed, and the person retries it.
@huey.task(retries=10, retry_delay=1, name="run_job")
def run_job(job_id: int) -> None:
    runner.run_job(job_id)


@huey.periodic_task(crontab(minute="*"), name="restart_stale_jobs")
def restart_stale_jobs() -> None:
    runner.restart_stale_jobs()


@huey.periodic_task(crontab(minute="*/10"), name="prune_downloads")
def prune_downloads() -> None:
    runner.prune_downloads()
