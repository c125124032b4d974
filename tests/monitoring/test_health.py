"""/healthz says the process is alive; /readyz names each part (database, media storage) that is down."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session

from app.db import get_session
from app.main import app
from app.settings import get_settings


def test_readyz_says_ready_with_every_part_ok(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert set(response.json()["checks"].values()) == {"ok"}
    assert set(response.json()["checks"]) == {"database", "queue", "media"}


def test_readyz_names_the_database_when_it_cannot_be_reached(client: TestClient) -> None:
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})

    def unreachable_session() -> Iterator[Session]:
        with Session(unreachable) as session:
            yield session

    app.dependency_overrides[get_session] = unreachable_session

    response = client.get("/readyz")
    alive = client.get("/healthz")

    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["database"].startswith("OperationalError")
    assert response.json()["checks"]["media"] == "ok"
    assert alive.status_code == 200  # alive: restarting the app would not bring the database back


def test_readyz_names_the_media_storage_when_it_is_not_writable(client: TestClient, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    monkeypatch.setattr(get_settings(), "media_dir", blocked)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["media"].startswith(str(blocked))
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_names_the_job_queue_when_it_cannot_be_reached(client: TestClient, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from app.jobs import queue

    monkeypatch.setattr(queue, "huey", queue.make_huey("redis://127.0.0.1:1/0", name="gone", var_dir=tmp_path))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["queue"].startswith("ConnectionError")
    assert response.json()["checks"]["database"] == response.json()["checks"]["media"] == "ok"
