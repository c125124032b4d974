"""On SQLite, reads never wait for the write turn (docs/jobs.md, "SQLite: reads never wait"): WAL
readers run beside a writer, and a reader that writes becomes a writer without tripping over its
own stale snapshot. Always on a SQLite file of its own: the behaviour is SQLite's."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine, read_session, reading, write_turn
from app.settings import get_settings
from tests.database import migrate


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    yield engine
    engine.dispose()


@pytest.fixture
def write_lock_held(sqlite_file: Engine) -> Iterator[None]:
    """Another connection in the middle of a write transaction (it holds SQLite's write lock)."""
    with sqlite_file.connect() as holder:
        holder.execute(text("INSERT INTO t VALUES (2)"))  # BEGIN IMMEDIATE: the lock is taken
        yield
        holder.rollback()


def test_a_reader_reads_at_once_while_another_connection_writes(sqlite_file: Engine, write_lock_held: None) -> None:
    started = time.perf_counter()
    with read_session(sqlite_file) as session:
        rows = session.execute(text("SELECT COUNT(*) FROM t")).scalar_one()
    took = time.perf_counter() - started

    assert rows == 1  # the writer's row is not committed
    assert took < 5  # a writer would wait for the holder: as long as it holds (here, forever)


def test_a_writer_waits_for_the_lock_where_a_reader_does_not(sqlite_file: Engine, write_lock_held: None) -> None:
    impatient = make_engine(f"{sqlite_file.url}?timeout=0.2")
    impatient.pool.dispose()

    with pytest.raises(Exception, match="locked"), impatient.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=200")
        connection.execute(text("SELECT 1"))  # the plain engine's BEGIN IMMEDIATE meets the lock
    impatient.dispose()


def test_a_reader_that_writes_after_another_commit_becomes_a_writer_and_its_write_lands(
        sqlite_file: Engine) -> None:
    with Session(reading(sqlite_file)) as session:
        before = session.execute(text("SELECT COUNT(*) FROM t")).scalar_one()  # a read snapshot
        with sqlite_file.begin() as other:
            other.execute(text("INSERT INTO t VALUES (3)"))  # committed after that snapshot
        session.execute(text("INSERT INTO t VALUES (4)"))  # a stale snapshot could not write
        after = session.execute(text("SELECT COUNT(*) FROM t")).scalar_one()
        session.commit()

    assert (before, after) == (1, 3)  # the write sees the other commit, like READ COMMITTED
    with sqlite_file.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM t")).scalar_one() == 3


@pytest.fixture
def app_on_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Engine]]:
    from app.db import get_engine
    from app.main import app

    url = f"sqlite:///{tmp_path / 'served.db'}"
    migrate(url)
    monkeypatch.setenv("MP_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        with TestClient(app) as client:
            yield client, get_engine()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_healthz_answers_at_once_while_a_worker_holds_the_write_turn_and_the_write_lock(
        app_on_own_file: tuple[TestClient, Engine]) -> None:
    client, engine = app_on_own_file

    with write_turn(engine), engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        holder.execute(text("UPDATE alembic_version SET version_num = version_num"))  # the write lock
        started = time.perf_counter()
        answer = pool.submit(client.get, "/healthz")
        try:
            response = answer.result(timeout=20)  # were it waiting for the turn, it would wait for ever
        finally:
            took = time.perf_counter() - started
            holder.rollback()

    assert response.status_code == 200
    assert took < 5  # milliseconds on an idle machine; the bound only has to separate "at once" from "never"
