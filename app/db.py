"""Engine and sessions: one code path for SQLite (embedded default) and PostgreSQL."""

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    # Concurrent writers (several workers, retried saves) must wait, not fail with "database is locked":
    # WAL lets readers go on, busy_timeout waits, BEGIN IMMEDIATE takes the write lock before reading.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite's own BEGIN handling is replaced below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # The threads of one process queue on a lock instead of polling SQLite's busy handler: with dozens of
    # waiting threads the polling starves some past busy_timeout, and "database is locked" reached users
    # (bench/soak.py). Other worker processes still wait through busy_timeout. The gate is never
    # waited on longer than busy_timeout, so a nested transaction in one thread cannot deadlock, only wait.
    gate = threading.Lock()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.info["gated"] = gate.acquire(timeout=10)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _open_gate(connection)
            raise

    def _open_gate(connection: Any) -> None:
        if connection.info.pop("gated", False):
            gate.release()

    event.listen(engine, "commit", _open_gate)
    event.listen(engine, "rollback", _open_gate)


@lru_cache
def _default_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return _default_engine(get_settings().db_url)


def get_session() -> Iterator[Session]:
    """One session per request, committed once at the end: a request's writes land together."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


# scope="function": commit before the response is sent, so an acknowledged save is a saved one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
