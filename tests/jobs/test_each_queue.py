"""A whole download (asked over HTTP, made by huey's consumer, fetched) on each queue storage:
SQLite (the default), Redis (db 3 of the server on this machine) and PostgreSQL."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.jobs import queue
from tests.jobs.conftest import Live
from tests.jobs.queues import STORAGES, consuming, queue_url


@pytest.fixture(params=STORAGES)
def queue_for_live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with queue_url(request.param, tmp_path) as url:
        yield url


def test_a_workbook_asked_for_is_made_by_the_worker_and_downloaded(live: Live) -> None:
    client = live.as_("director", api=True)

    asked = client.post("/api/v1/downloads", json={"kind": "xlsx", "params": {"wave": str(live.world.wave.id)}})
    with consuming(queue.huey, threads=2):
        state = live.wait_for(asked.json()["id"])
    file = client.get(state["file_url"])

    assert asked.status_code == 202
    assert state["status"] == "done", state["error"]
    book = load_workbook(io.BytesIO(file.content), read_only=True)
    assert book.sheetnames == ["Answers", "Audits", "Clinics by touchpoint", "Item pass rates"]
