"""Engine and sessions: one code path for SQLite (embedded default) and PostgreSQL."""

import asyncio
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.settings import get_settings

try:
    import fcntl
except ImportError:  # Windows: worker processes are not gated against each other
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 30_000
SLOW_TURN_S = 0.5
log = logging.getLogger("mystery_patient.db")
# An acknowledged save survives a power cut (docs/design.md §7): in WAL mode NORMAL syncs only at
# checkpoints, so the last commits before a power loss can vanish although the phone was told
# "saved"; FULL syncs the WAL at every commit. The cost is one fsync per write (bench/durability.py).
SQLITE_SYNCHRONOUS = "FULL"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    # Up to 30 connections per app process (uvicorn's thread pool runs 40 requests at once); a request
    # that waits 10 s for one gets 503 + Retry-After (app.errors) rather than holding the phone.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10)


# ---------------------------------------------------------------- readers and writers on SQLite
#
# WAL lets any number of readers run beside one writer. A transaction on a plain engine is a writer:
# BEGIN IMMEDIATE takes the write lock before it reads, so it never has to upgrade a stale read
# snapshot (which fails at once, whatever the timeout). A transaction on `reading(engine)` is a
# reader: a deferred BEGIN that waits for nobody. Should a reader write after all (a GET touching
# its login session, a lazily stored score), it first ends its read snapshot and becomes a writer
# (BEGIN IMMEDIATE, waiting at most the busy timeout): its later statements see the latest data,
# like PostgreSQL's READ COMMITTED, which the code already lives with. Inside a savepoint (tests)
# it writes where it is.

READER = "mp_sqlite_reader"
_WRITING = "mp_writing"
_READ_STATEMENTS = ("select", "pragma", "savepoint", "release", "rollback", "with", "commit", "begin")


def reading(engine: Engine) -> Engine:
    """The same engine and pool, its transactions readers on SQLite (see above)."""
    return engine.execution_options(**{READER: True}) if engine.dialect.name == "sqlite" else engine


def _casefold(text: str | None) -> str | None:
    return text.casefold() if isinstance(text, str) else text


def _tune_sqlite(engine: Engine) -> None:
    # Write requests queue on request_turn() before they meet here; the busy timeout covers the rest
    # (a reader turning writer, the worker, the CLI, a backup, a migration running next to the app).
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite's own BEGIN handling is replaced below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.close()
        # SQLite's lower() folds ASCII only; searches fold Cyrillic too (app/web/choices.py, casefold).
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        reader = bool(connection.get_execution_options().get(READER))
        connection.info[_WRITING] = not reader
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def before_write(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_WRITING, True) or statement.lstrip()[:9].lower().startswith(_READ_STATEMENTS):
            return
        connection.info[_WRITING] = True
        if connection.in_nested_transaction():
            return
        cursor.execute("COMMIT")  # the read snapshot (nothing was written yet)
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as busy:  # answered 503 like any busy database (app.errors)
            cursor.execute("BEGIN")  # so the request's rollback has a transaction to end
            raise OperationalError(statement, None, busy) from busy


# ---------------------------------------------------------------- one write request at a time on SQLite
#
# SQLite has one writer at a time. Left to SQLite's busy handler, waiting writers poll the lock with
# growing sleeps: newcomers overtake the patient ones and, with dozens waiting, some outwait any
# timeout ("database is locked", bench/soak.py). A thread lock does not help either: a request's
# transaction spans several thread-pool hops, and threads blocked on the lock starve the pool the
# lock holder needs to finish. So write requests (POST, PUT, PATCH, DELETE) queue before they get a
# session: on an asyncio lock inside the worker process (in order, holding no thread), then on an
# flock on a file next to the database across processes (the kernel wakes the waiter; a SIGKILLed
# process releases it). Reads (GET, HEAD) take no turn at all. The job worker's short write
# transactions take the same flock (write_turn). PostgreSQL needs none of this.

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()
_thread_turns: dict[str, threading.Lock] = {}


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
    asked = time.monotonic()
    async with lock:
        handle = os.open(f"{path}.gate", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no thread hop
                except BlockingIOError:
                    await run_in_threadpool(fcntl.flock, handle, fcntl.LOCK_EX)
            waited = time.monotonic() - asked
            if waited > SLOW_TURN_S:  # what stalls saves shows in the log (bench/jobs.py counts these)
                log.warning("waited %.2f s for the write turn", waited)
            yield
        finally:
            os.close(handle)  # releases the flock


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """The write turn for code outside requests (the job worker): blocks this thread, which is fine
    where no event loop's thread pool depends on it."""
    path = _sqlite_file(engine)
    if path is None:
        yield
        return
    with _thread_turns.setdefault(path, threading.Lock()):
        handle = os.open(f"{path}.gate", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """A short write transaction outside requests, committed at the end, in the write turn."""
    engine = engine or get_engine()
    with write_turn(engine), Session(engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def read_session(engine: Engine | None = None) -> Session:
    """A session of reader transactions (see reading()): long reads never hold the write turn."""
    return Session(reading(engine or get_engine()), expire_on_commit=False)


@lru_cache
def _default_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return _default_engine(get_settings().db_url)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once at the end: a request's writes land together. Reads
    (GET, HEAD) run as readers and wait for nobody; others wait for their write turn first."""
    engine = get_engine()
    if request.method in SAFE_METHODS:
        async with _committed(Session(reading(engine), expire_on_commit=False), engine) as session:
            yield session
        return
    async with request_turn(engine), _committed(Session(engine, expire_on_commit=False), engine) as session:
        yield session


@asynccontextmanager
async def _committed(session: Session, engine: Engine) -> AsyncIterator[Session]:
    with session:
        try:
            yield session
            if engine.dialect.name == "sqlite":
                # One WAL fsync (synchronous=FULL, about 2 ms here): kept on the event loop: the write turn
                # serialises this process's writers anyway (moving it to a thread is not measured yet).
                session.commit()
            else:
                await run_in_threadpool(session.commit)
        except Exception:
            session.expunge_all()  # the error page still reads the user as loaded (rollback would expire it)
            session.rollback()
            raise


# scope="function": commit before the response is sent, so an acknowledged save is a saved one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
