"""The three queue storages as they run on this machine and in CI, each under a name of its own,
and huey's real consumer started in this process (threads) for a test."""

import os
import secrets
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from huey import Huey
from sqlalchemy.engine import make_url

from app.jobs.queue import make_huey, queue_reachable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")  # db 3: this project's on the shared server
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STORAGES = ["sqlite", "redis", "postgresql"]


@contextmanager
def postgres_queue_database() -> Iterator[str]:
    """A fresh PostgreSQL database for a queue, dropped afterwards."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    name = f"mp_i13_queue_{secrets.token_hex(4)}"
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {url.host}:{url.port}: {error}")
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def queue_url(storage: str, tmp_path: Path) -> Iterator[str]:
    if storage == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.db'}"
    elif storage == "redis":
        probe = make_huey(REDIS_URL, name="mp-probe", var_dir=tmp_path)
        if problem := queue_reachable(probe):
            pytest.skip(f"no Redis at {REDIS_URL}: {problem}")
        yield REDIS_URL
    else:
        with postgres_queue_database() as url:
            yield url


@contextmanager
def queue_on(storage: str, tmp_path: Path) -> Iterator[Huey]:
    """A huey on the storage under a name no other run uses; emptied afterwards."""
    with queue_url(storage, tmp_path) as url:
        huey = make_huey(url, name=f"mp-test-{secrets.token_hex(4)}", var_dir=tmp_path)
        try:
            yield huey
        finally:
            huey.storage.flush_all()
            huey.storage.close()


@contextmanager
def consuming(huey: Huey, *, threads: int = 1, periodic: bool = False) -> Iterator[None]:
    """huey's own consumer working the queue in threads of this process, stopped gracefully."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=periodic, max_delay=0.2)
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
