"""Engine and sessions: one code path for SQLite (embedded default) and PostgreSQL."""

import asyncio
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.settings import get_settings

try:
    import fcntl
except ImportError:  # Windows: worker processes are not gated against each other
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 30_000
# An acknowledged save survives a power cut (docs/design.md §7): in WAL mode NORMAL syncs only at
# checkpoints, so the last commits before a power loss can vanish although the phone was told
# "saved"; FULL syncs the WAL at every commit. The cost is one fsync per write (bench/durability.py).
SQLITE_SYNCHRONOUS = "FULL"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    # WAL lets readers go on while one writes; BEGIN IMMEDIATE takes the write lock before reading, so a
    # transaction never has to upgrade a stale read snapshot (which fails at once, whatever the timeout).
    # Requests do not even meet here: they queue on request_turn() first. The busy timeout covers the
    # rest (the CLI, a backup, a migration running next to the app).
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite's own BEGIN handling is replaced below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# ---------------------------------------------------------------- one request at a time on SQLite
#
# SQLite has one writer at a time, and every request transaction here is a writer (BEGIN IMMEDIATE).
# Left to SQLite's busy handler, waiting requests poll the lock with growing sleeps: newcomers overtake
# the patient ones and, with dozens waiting, some outwait any timeout ("database is locked", bench/soak.py).
# A thread lock does not help either: a request's transaction spans several thread-pool hops, and
# threads blocked on the lock starve the pool the lock holder needs to finish. So requests queue before
# they get a session: on an asyncio lock inside the worker process (in order, holding no thread), then
# on an flock on a file next to the database across worker processes (the kernel wakes the waiter; a
# SIGKILLed worker releases it). PostgreSQL needs none of this.

_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _sqlite_file(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return database if database and database != ":memory:" and not database.startswith("file:") else None


@asynccontextmanager
async def request_turn(engine: Engine) -> AsyncIterator[None]:
    """Wait for this request's turn at a SQLite database (nothing to wait for on PostgreSQL)."""
    path = _sqlite_file(engine)
    if path is None:
        yield
        return
    lock = _turns.setdefault(asyncio.get_running_loop(), {}).setdefault(path, asyncio.Lock())
    async with lock:
        handle = os.open(f"{path}.gate", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no thread hop
                except BlockingIOError:
                    await run_in_threadpool(fcntl.flock, handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # releases the flock


@lru_cache
def _default_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return _default_engine(get_settings().db_url)


async def get_session() -> AsyncIterator[Session]:
    """One session per request, committed once at the end: a request's writes land together."""
    engine = get_engine()
    async with request_turn(engine):
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                if engine.dialect.name == "sqlite":
                    session.commit()  # a WAL commit without fsync: quicker than a hop to a thread
                else:
                    await run_in_threadpool(session.commit)
            except Exception:
                session.expunge_all()  # the error page still reads the user as loaded (rollback would expire it)
                session.rollback()
                raise


# scope="function": commit before the response is sent, so an acknowledged save is a saved one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
