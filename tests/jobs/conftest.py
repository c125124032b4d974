"""A committed world for jobs: the worker (huey's consumer, in threads here or in a process of its
own) reads what the test arranged, so nothing can hide in a rolled-back transaction."""

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import get_engine
from app.jobs import queue
from app.jobs.queue import make_huey
from app.settings import get_settings
from tests.database import fresh_database, migrate
from tests.security.world import World, as_user, build_world


@dataclass
class Live:
    url: str
    env: dict[str, str]  # what a worker process needs to see the same database and queue
    world: World
    client: TestClient
    engine: Engine
    var: Path

    def as_(self, role: str, *, api: bool = False) -> TestClient:
        return as_user(self.client, self.world.logins[role], api=api)

    def status(self, job_id: int, role: str = "director") -> dict[str, Any]:
        response = self.client.get(f"/api/v1/downloads/{job_id}",
                                   headers={"Authorization": f"Bearer {self.world.logins[role].api_token}"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_for(self, job_id: int, *, until: tuple[str, ...] = ("done", "failed"), seconds: float = 180,
                 role: str = "director") -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.status(job_id, role)
            if state["status"] in until:
                return state
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {state['status']} after {seconds} s")


def live_environment(tmp_path: Path, database_url: str, queue_url: str) -> dict[str, str]:
    return {"MP_DATABASE_URL": database_url, "MP_VAR_DIR": str(tmp_path / "var"),
            "MP_MEDIA_DIR": str(tmp_path / "media"), "MP_QUEUE_URL": queue_url,
            "MP_QUEUE_NAME": f"mp-test-{secrets.token_hex(4)}",
            "MP_SECRET_KEY": os.environ["MP_SECRET_KEY"]}


@pytest.fixture
def queue_for_live(tmp_path: Path) -> str:
    """The queue the live world uses; a test module may override it (Redis, PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture
def live(tmp_path: Path, queue_for_live: str) -> Iterator[Live]:
    from app.main import app

    patch = pytest.MonkeyPatch()
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        env = live_environment(tmp_path, url, queue_for_live)
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        own = make_huey(queue_for_live, name=env["MP_QUEUE_NAME"], var_dir=tmp_path / "var")
        patch.setattr(queue.huey, "storage", own.storage)
        engine = get_engine()
        try:
            with Session(engine, expire_on_commit=False) as session:
                world = build_world(session)
                session.commit()
            with TestClient(app, base_url="http://testserver", follow_redirects=False,
                            headers={"Accept-Language": "en"}) as client:
                yield Live(url, env, world, client, engine, tmp_path / "var")
        finally:
            own.storage.flush_all()
            engine.dispose()
            patch.undo()
            get_settings.cache_clear()
