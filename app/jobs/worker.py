"""Running a huey consumer for `mystery-patient worker` and for `serve`'s own worker (docs/jobs.md)."""

import logging
import os
import subprocess
import sys

from huey.consumer import Consumer

from app.jobs import queue

log = logging.getLogger("mystery_patient.jobs")

# Polling storages (SQLite) look at the queue at most this often when idle: a download asked for
# starts within about a second. Redis and PostgreSQL wake the worker at once (BRPOP, LISTEN).
MAX_POLL_DELAY_S = 1.0


def make_consumer(*, threads: int, scheduler: bool) -> Consumer:
    """A consumer of every registered task on the configured queue; `scheduler` runs the periodic
    tasks too (exactly one consumer of a queue should)."""
    queue.load_tasks()
    return queue.huey.create_consumer(workers=threads, worker_type="thread", periodic=scheduler,
                                      initial_delay=0.1, backoff=1.15, max_delay=MAX_POLL_DELAY_S,
                                      check_worker_health=True)


def run_worker(*, threads: int, scheduler: bool, niceness: int = 0) -> None:
    """Consume until SIGINT/SIGTERM (huey's consumer handles the signals). A positive niceness
    lowers this process's CPU priority (and Chromium's, its child): on a machine shared with the
    web server, requests get the CPU before PDFs and exports do."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    consumer = make_consumer(threads=threads, scheduler=scheduler)
    from app.jobs import runner  # late: imports the whole app to render PDFs

    runner.restart_stale_jobs()  # what a killed worker left half done
    consumer.run()


def spawn_worker(*, scheduler: bool = True) -> subprocess.Popen[bytes]:
    """`mystery-patient worker` as a child process (serve's own worker for the embedded default)."""
    command = [sys.executable, "-m", "app.cli.main", "worker", "--threads", "2",
               "--scheduler" if scheduler else "--no-scheduler"]
    return subprocess.Popen(command, env=os.environ.copy())
