"""A database that stays locked past its wait answers 503 with Retry-After, never a 500."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app.i18n import set_language
from app.main import create_app


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield


@pytest.fixture
def locked_file(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file whose write lock another connection holds; the engine gives up after 50 ms."""
    path = tmp_path / "locked.db"
    holder = create_engine(f"sqlite:///{path}", connect_args={"isolation_level": None})
    with holder.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        impatient = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
        yield impatient
        impatient.dispose()
        connection.exec_driver_sql("ROLLBACK")
    holder.dispose()


def app_writing_to(engine: Engine) -> FastAPI:
    """The real app (its error handlers, middleware and templates) with test routes that write."""
    app = create_app()

    def write() -> dict[str, str]:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        return {"status": "saved"}

    app.get("/api/v1/write")(write)
    app.get("/write")(write)
    app.get("/api/v1/broken")(lambda: engine.connect().execute(text("SELECT * FROM missing_table")))
    return app


def test_a_locked_database_answers_503_with_retry_after_and_a_json_detail(locked_file: Engine) -> None:
    client = TestClient(app_writing_to(locked_file), raise_server_exceptions=False, headers={"Accept-Language": "en"})

    response = client.get("/api/v1/write")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "busy" in response.json()["detail"]


def test_a_locked_database_is_logged_as_a_warning_without_a_traceback(locked_file: Engine,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(app_writing_to(locked_file), raise_server_exceptions=False, headers={"Accept-Language": "en"})

    with caplog.at_level(logging.INFO):
        client.get("/api/v1/write")

    assert [r.levelname for r in caplog.records if r.name == "mystery_patient"] == ["WARNING"]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_page_on_a_locked_database_answers_503_with_retry_after(locked_file: Engine) -> None:
    client = TestClient(app_writing_to(locked_file), raise_server_exceptions=False, headers={"Accept-Language": "en"})

    response = client.get("/write")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "text/html" in response.headers["content-type"]


def test_other_database_errors_stay_500_and_are_logged(locked_file: Engine,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(app_writing_to(locked_file), raise_server_exceptions=False, headers={"Accept-Language": "en"})

    response = client.get("/api/v1/broken")

    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_no_free_database_connection_is_a_503_to_send_again_not_a_crash(client: TestClient,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from app.monitoring import health

    def exhausted(_session: object) -> str | None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 10.00")

    monkeypatch.setattr(health, "database_down", exhausted)

    response = client.get("/readyz")

    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert "busy" in response.text
