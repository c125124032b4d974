"""The queue on each storage it supports: SQLite (the default), Redis and PostgreSQL, worked by
huey's real consumer."""

from pathlib import Path

import pytest

from app.jobs import queue
from app.jobs.queue import QueueUnavailable, make_huey, queue_reachable
from tests.jobs.queues import STORAGES, consuming, queue_on


@pytest.mark.parametrize("storage", STORAGES)
def test_a_task_runs_through_the_real_consumer_and_its_result_comes_back(storage: str, tmp_path: Path) -> None:
    with queue_on(storage, tmp_path) as huey:
        @huey.task()
        def add(a: int, b: int) -> int:
            return a + b

        with consuming(huey):
            result = add(2, 3)

            assert result.get(blocking=True, timeout=15) == 5
        assert huey.pending_count() == 0


@pytest.mark.parametrize("storage", STORAGES)
def test_a_task_enqueued_while_no_worker_runs_waits_for_the_next_one(storage: str, tmp_path: Path) -> None:
    with queue_on(storage, tmp_path) as huey:
        @huey.task()
        def shout(word: str) -> str:
            return word.upper()

        result = shout("later")
        assert huey.pending_count() == 1

        with consuming(huey, threads=2):
            assert result.get(blocking=True, timeout=15) == "LATER"


@pytest.mark.parametrize("storage", STORAGES)
def test_a_reachable_queue_reports_no_problem(storage: str, tmp_path: Path) -> None:
    with queue_on(storage, tmp_path) as huey:
        assert queue_reachable(huey) is None


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/3", "postgresql+psycopg://postgres@127.0.0.1:1/postgres"])
def test_an_unreachable_queue_says_why(url: str, tmp_path: Path) -> None:
    huey = make_huey(url, name="mp-test-down", var_dir=tmp_path)

    problem = queue_reachable(huey)

    assert problem is not None and ("refused" in problem.lower() or "connect" in problem.lower())


def test_enqueueing_on_an_unreachable_queue_raises_queue_unavailable(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    down = make_huey("redis://127.0.0.1:1/3", name="mp-test-down", var_dir=tmp_path)
    monkeypatch.setattr(queue, "huey", down)

    @down.task()
    def never() -> None:
        pass

    with pytest.raises(QueueUnavailable) as raised:
        queue.enqueue(never.s())

    assert raised.value.status_code == 503 and raised.value.retry_after


def test_the_default_queue_is_a_sqlite_file_of_its_own_under_var(tmp_path: Path) -> None:
    huey = make_huey("", name="mp-test", var_dir=tmp_path / "var")

    assert huey.storage.filename == str(tmp_path / "var" / "queue.db")


def test_every_domain_task_and_the_periodic_clean_ups_are_registered() -> None:
    queue.load_tasks()

    names = set(queue.huey._registry._registry)  # huey keeps them as module.name
    periodic = {task.name for task in queue.huey._registry.periodic_tasks}

    assert {"app.jobs.tasks.run_job", "app.reports.tasks.store_audit_scores"} <= names
    assert {"restart_stale_jobs", "prune_downloads", "prune_accounts_hourly"} <= periodic
