"""Jobs survive what workers and queues go through: a queue that goes away and comes back, a
worker SIGKILLed mid-export, a message delivered twice."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import Session

from app.jobs import queue, runner
from app.jobs.models import Job
from app.jobs.service import downloads_dir
from bench.reports import Generator
from tests.jobs.conftest import Live
from tests.jobs.queues import consuming
from tests.live_server import free_port

REPO = Path(__file__).resolve().parents[2]


def _redis_server(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """A throwaway redis-server of this test's own (never the shared one), ready when returned."""
    server = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
            return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("the throwaway redis-server did not start")


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    yield free_port()


@pytest.fixture
def throwaway_redis(redis_port: int, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    servers = [_redis_server(redis_port, tmp_path)]
    yield servers
    for server in servers:
        if server.poll() is None:
            server.terminate()
            server.wait(10)


def test_while_redis_is_down_asking_answers_503_and_the_worker_resumes_when_it_returns(
        throwaway_redis: list[subprocess.Popen[bytes]], redis_port: int, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    live: Live = request.getfixturevalue("live")
    client = live.as_("director")
    with consuming(queue.huey):
        throwaway_redis[0].terminate()
        throwaway_redis[0].wait(10)
        refused = client.post("/downloads", data={"kind": "csv"})
        time.sleep(1.5)  # the worker meets the outage too
        throwaway_redis.append(_redis_server(redis_port, tmp_path))
        asked = client.post("/downloads", data={"kind": "csv"})
        job_id = int(asked.headers["location"].rsplit("/", 1)[1])
        state = live.wait_for(job_id, seconds=60)

    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert asked.status_code == 303
    assert state["status"] == "done"


@pytest.fixture
def queue_for_live(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if "redis_port" in request.fixturenames:
        return f"redis://127.0.0.1:{request.getfixturevalue('redis_port')}/0"
    return f"sqlite:///{tmp_path / 'queue.db'}"


def _worker(live: Live, *extra_env: tuple[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, **live.env, **dict(extra_env)}
    return subprocess.Popen([sys.executable, "-m", "app.cli.main", "worker", "--threads", "1", "--no-scheduler"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_export_leaves_a_job_the_next_worker_completes_once(live: Live) -> None:
    generator = Generator(live.engine)  # ≈300 000 answers: the workbook takes seconds to write
    # (its explicit ids start clear of the world's rows)
    generator.clinics, generator.next_audit, generator.next_answer = 1000, 100_000, 10_000_000
    generator.add_clinics(60, 100)
    with live.engine.connect() as connection:
        wave_answers = connection.execute(text(
            "SELECT COUNT(*) FROM answers JOIN audits ON audits.id = answers.audit_id "
            "WHERE audits.wave_id = :w AND audits.status = 'approved'"), {"w": generator.wave_ids[0]}).scalar_one()
    client = live.as_("admin", api=True)
    asked = client.post("/api/v1/downloads", json={"kind": "xlsx", "params": {
        "wave": str(generator.wave_ids[0]), "checklist": "bench"}}).json()
    stale = ("MP_JOB_STALE_SECONDS", "2")

    first = _worker(live, stale)
    try:
        seen = live.wait_for(asked["id"], until=("running",), role="admin", seconds=300)  # a loaded CI box
        while seen["status"] == "running" and seen["progress"] < 10:
            seen = live.status(asked["id"], "admin")
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    killed_at = live.status(asked["id"], "admin")
    time.sleep(2.5)  # its heartbeat is now stale
    second = _worker(live, stale)
    try:
        state = live.wait_for(asked["id"], role="admin", seconds=400)
    finally:
        second.terminate()
        second.wait(20)

    assert killed_at["status"] == "running" and 0 < killed_at["progress"] < 100, killed_at
    assert state["status"] == "done" and state["attempts"] == 2, state
    files = [p for p in downloads_dir().glob(f"{asked['id']}-*") if p.suffix != ".part"]
    assert len(files) == 1
    book = load_workbook(files[0], read_only=True)
    rows = sum(1 for _ in book["Answers"].iter_rows(values_only=True))
    assert rows == wave_answers + 1  # every answer once, under its header row


def test_a_job_delivered_twice_at_once_runs_once_and_keeps_one_file(live: Live) -> None:
    asked = live.as_("director", api=True).post("/api/v1/downloads", json={"kind": "csv"}).json()

    runs = [threading.Thread(target=runner.run_job, args=(asked["id"],)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    runner.run_job(asked["id"])  # and once more, after it finished

    with Session(live.engine) as session:
        job = session.get(Job, asked["id"])
        assert job is not None and job.status == "done" and job.attempts == 1
    assert [p.name for p in downloads_dir().glob(f"{asked['id']}-*")] == [job.file_name]


def test_a_job_left_running_by_a_dead_worker_is_queued_again(live: Live,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    asked = live.as_("director", api=True).post("/api/v1/downloads", json={"kind": "csv"}).json()
    with Session(live.engine) as session:
        session.execute(text("UPDATE jobs SET status = 'running', attempts = 1, heartbeat_at = :old WHERE id = :id"),
                        {"old": "2020-01-01 00:00:00.000000", "id": asked["id"]})
        session.commit()
    queued_before = queue.huey.pending_count()

    restarted = runner.restart_stale_jobs()
    with consuming(queue.huey):
        state = live.wait_for(asked["id"])

    assert restarted == 1 and queue.huey.pending_count() <= queued_before + 1
    assert state["status"] == "done" and state["attempts"] == 2
