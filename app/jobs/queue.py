"""The job queue: one huey instance, its storage chosen by MP_QUEUE_URL (docs/jobs.md).

- unset: a SQLite file of its own, `var/queue.db` (never the app's database: the queue's
  frequent small writes would then take the app's write turn);
- `redis://host:port/db`: huey's Redis storage;
- `postgresql+psycopg://user@host/db`: huey's own PostgreSQL storage (psycopg 3, LISTEN/NOTIFY,
  `FOR UPDATE SKIP LOCKED`), its tables created on the first connection instead of at import, so
  the app starts while the queue is down.

Tasks are declared in each domain's own `tasks.py` on `huey` and registered by importing them:
`load_tasks()` imports every module in TASK_MODULES (the worker does at start; the app does so it
can enqueue them).
"""

import importlib
import logging
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Result, Task
from huey.storage import PostgresStorage
from redis import ConnectionPool
from redis.exceptions import RedisError

from app.errors import DomainError
from app.i18n import N_
from app.settings import Settings, get_settings

log = logging.getLogger("mystery_patient.jobs")

# Domains add their module here; importing it registers its tasks on `huey`.
TASK_MODULES = ["app.jobs.tasks", "app.accounts.tasks", "app.reports.tasks", "app.actions.tasks"]
CONNECT_TIMEOUT_S = 3
RETRY_AFTER_S = 10

# What a storage raises when its server cannot be reached (or its file is locked past the timeout).
QUEUE_ERRORS: tuple[type[Exception], ...] = (RedisError, psycopg.Error, sqlite3.OperationalError, OSError)


class QueueUnavailable(DomainError):
    status_code = 503
    retry_after = RETRY_AFTER_S
    message = N_("Background work is paused: the job queue cannot be reached. Nothing was started; "
                 "please try again in a minute.")


class _PostgresQueueStorage(PostgresStorage):
    """huey's PostgreSQL storage, creating its tables on its first connection rather than when the
    app is imported."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["create_tables"] = False
        super().__init__(*args, **kwargs)
        self._schema_ready = False

    def _connect(self) -> Any:
        conn = super()._connect()
        if not self._schema_ready:
            try:
                for statement in self.ddl:
                    conn.execute(statement)
            except psycopg.errors.UniqueViolation:
                pass  # another process created them at the same moment
            self._schema_ready = True
        return conn

    _create_connection = _connect


def sqlite_queue_file(settings: Settings) -> Path:
    return settings.var_dir / "queue.db"


def make_huey(url: str, *, name: str, var_dir: Path) -> Huey:
    """A huey instance on the storage the URL names ("" = a SQLite file under var_dir)."""
    if url.startswith(("redis://", "rediss://")):
        # socket_timeout above huey's 1 s blocking read, so an idle BRPOP is not a timeout
        pool = ConnectionPool.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=10,
                                       health_check_interval=30)
        return RedisHuey(name, connection_pool=pool)
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        dsn = "postgresql://" + url.split("://", 1)[1]
        return Huey(name, storage_class=_PostgresQueueStorage, dsn=dsn, table_prefix="mp_queue",
                    connect_timeout=CONNECT_TIMEOUT_S)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else var_dir / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), timeout=10)


def _from_settings() -> Huey:
    settings = get_settings()
    return make_huey(settings.queue_url, name=settings.queue_name, var_dir=settings.var_dir)


huey: Huey = _from_settings()


def load_tasks() -> None:
    """Import every domain's tasks.py, registering its tasks (and periodic tasks) on `huey`."""
    for module in TASK_MODULES:
        importlib.import_module(module)


def enqueue(task: Task) -> Result | None:
    """Put a task on the queue. Raises QueueUnavailable when the queue cannot be reached (nothing
    was put on it then; the caller's transaction rolls back with the error)."""
    try:
        return huey.enqueue(task)
    except QUEUE_ERRORS as error:
        log.warning("job queue unreachable, %s not enqueued: %s", task.name, error)
        raise QueueUnavailable() from error


def queue_reachable(queue: Huey | None = None) -> str | None:
    """None when the queue answers, else why not (for /readyz and `mystery-patient worker`)."""
    try:
        (queue or huey).pending_count()
    except QUEUE_ERRORS as error:
        return f"{type(error).__name__}: {error}".strip()
    return None


def is_embedded(settings: Settings | None = None) -> bool:
    """The queue is the default SQLite file (so `serve` runs a worker itself)."""
    return not (settings or get_settings()).queue_url
