"""Downloads a person can follow, end to end: asked in a page or over the API, made by huey's real
consumer, offered when ready, served only to its asker within their scope, removed when expired."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.accounts.models import DirectorRegion
from app.db_types import utcnow
from app.jobs import queue, runner
from app.jobs.models import Job
from app.jobs.queue import make_huey
from app.jobs.service import downloads_dir
from tests.jobs.conftest import Live
from tests.jobs.queues import consuming


def _ask(live: Live, role: str, kind: str, **params: object) -> int:
    client = live.as_(role)
    response = client.post("/downloads", data={"kind": kind, **{k: str(v) for k, v in params.items()}})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_a_director_asks_for_the_wave_workbook_sees_it_pending_then_downloads_it(live: Live) -> None:
    job_id = _ask(live, "director", "xlsx", wave=live.world.wave.id, checklist="sec-clinic")

    pending = live.client.get(f"/downloads/{job_id}", headers={"HX-Request": "true"})
    with consuming(queue.huey, threads=2):
        state = live.wait_for(job_id)
    ready = live.client.get(f"/downloads/{job_id}", headers={"HX-Request": "true"})
    file = live.client.get(f"/downloads/{job_id}/file")

    assert 'hx-trigger="every 1s"' in pending.text and "Waiting for a worker" in pending.text
    assert state["status"] == "done" and state["progress"] == 100
    assert "hx-trigger" not in ready.text and f"/downloads/{job_id}/file" in ready.text
    assert file.status_code == 200
    assert file.headers["content-disposition"].startswith("attachment; filename=")
    book = load_workbook(io.BytesIO(file.content), read_only=True)
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert answers[0][0] == "Audit" and len(answers) > 1  # headers in the reader's language (issue 17)
    assert {row[0] for row in answers[1:]} == {live.world.approved.id}


def test_over_the_api_asking_answers_202_with_a_status_url_that_offers_the_file(live: Live) -> None:
    client = live.as_("qa_lead", api=True)

    asked = client.post("/api/v1/downloads", json={"kind": "csv", "params": {"wave": str(live.world.wave.id)}})
    with consuming(queue.huey):
        state = live.wait_for(asked.json()["id"], role="qa_lead")
    file = client.get(state["file_url"])

    assert asked.status_code == 202 and asked.headers["location"] == asked.json()["status_url"]
    assert asked.json()["status"] == "queued" and asked.json()["file_url"] is None
    assert state["status"] == "done" and state["size"] == len(file.content)
    assert file.text.lstrip("\ufeff").startswith("audit_id,wave,clinic_id")


def test_the_gap_report_pdf_is_printed_by_the_worker(live: Live) -> None:
    job_id = _ask(live, "manager", "clinic_pdf", clinic_id=live.world.clinic_a.id, wave=live.world.wave.id)

    with consuming(queue.huey):
        state = live.wait_for(job_id, role="manager")
    file = live.client.get(f"/downloads/{job_id}/file")

    assert state["status"] == "done", state["error"]
    assert file.content.startswith(b"%PDF") and file.headers["content-type"] == "application/pdf"


def test_asking_twice_while_it_is_pending_records_one_job(live: Live) -> None:
    first = _ask(live, "director", "csv", wave=live.world.wave.id)
    second = _ask(live, "director", "csv", wave=live.world.wave.id)

    assert first == second


def test_a_clinic_outside_the_askers_scope_is_refused_before_anything_is_queued(live: Live) -> None:
    client = live.as_("director")  # region North: clinic B is in the South
    pending = queue.huey.pending_count()

    response = client.post("/downloads", data={"kind": "clinic_pdf", "clinic_id": str(live.world.clinic_b.id)})

    assert response.status_code == 404
    assert queue.huey.pending_count() == pending


def test_an_unknown_wave_or_kind_is_a_404_and_a_shopper_may_not_ask_for_exports(live: Live) -> None:
    unknown_wave = live.as_("director").post("/downloads", data={"kind": "xlsx", "wave": "no such wave"})
    unknown_kind = live.client.post("/downloads", data={"kind": "everything"})
    shopper = live.as_("shopper").post("/downloads", data={"kind": "xlsx"})

    assert (unknown_wave.status_code, unknown_kind.status_code, shopper.status_code) == (404, 404, 403)


def test_only_the_asker_sees_the_job_and_its_file(live: Live) -> None:
    job_id = _ask(live, "director", "csv", wave=live.world.wave.id)
    with consuming(queue.huey):
        live.wait_for(job_id)

    other = live.as_("admin")
    page, file = other.get(f"/downloads/{job_id}"), other.get(f"/downloads/{job_id}/file")
    api = live.as_("admin", api=True).get(f"/api/v1/downloads/{job_id}")

    assert (page.status_code, file.status_code, api.status_code) == (404, 404, 404)


def test_the_file_is_refused_once_the_askers_scope_no_longer_covers_it(live: Live) -> None:
    job_id = _ask(live, "director", "clinic_pdf", clinic_id=live.world.clinic_a.id)
    with consuming(queue.huey):
        assert live.wait_for(job_id)["status"] == "done"
    with Session(live.engine) as session:  # moved to the South only
        director = live.world.users["director"]
        for row in session.exec(select(DirectorRegion).where(DirectorRegion.user_id == director.id)):
            session.delete(row)
        session.add(DirectorRegion(user_id=director.id or 0, region_id=live.world.region_b.id or 0))
        session.commit()

    response = live.as_("director").get(f"/downloads/{job_id}/file")

    assert response.status_code == 403
    assert "access has changed" in response.text


def test_a_failed_job_says_what_failed_and_runs_again_when_retried(live: Live,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MP_CHROMIUM", "/nonexistent/chromium")
    job_id = _ask(live, "director", "clinic_pdf", clinic_id=live.world.clinic_a.id)
    with consuming(queue.huey):
        failed = live.wait_for(job_id)
    page = live.client.get(f"/downloads/{job_id}")
    monkeypatch.delenv("MP_CHROMIUM")

    retried = live.client.post(f"/downloads/{job_id}/retry")
    with consuming(queue.huey):
        done = live.wait_for(job_id)

    assert failed["status"] == "failed" and "no Chromium" in failed["error"]
    assert "could not be prepared" in page.text and "Try again" in page.text
    assert retried.status_code == 303
    assert done["status"] == "done" and done["attempts"] == 2


def test_retrying_a_job_that_did_not_fail_is_a_conflict(live: Live) -> None:
    job_id = _ask(live, "director", "csv")

    response = live.client.post(f"/downloads/{job_id}/retry")

    assert response.status_code == 409


def test_an_expired_download_is_removed_with_its_file(live: Live) -> None:
    job_id = _ask(live, "director", "csv", wave=live.world.wave.id)
    with consuming(queue.huey):
        live.wait_for(job_id)
    with Session(live.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.file_name
        path = downloads_dir() / job.file_name
        job.expires_at = utcnow() - timedelta(minutes=1)
        session.add(job)
        session.commit()

    gone_before_pruning = live.client.get(f"/downloads/{job_id}/file").status_code
    pruned = runner.prune_downloads()

    assert gone_before_pruning == 410
    assert pruned >= 1 and not path.exists()
    assert live.client.get(f"/downloads/{job_id}").status_code == 404


def test_with_the_queue_down_asking_answers_503_with_retry_after_and_records_nothing(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    down = make_huey("redis://127.0.0.1:1/3", name="mp-test-down", var_dir=live.var)
    monkeypatch.setattr(queue.huey, "storage", down.storage)
    with Session(live.engine) as session:
        before = len(session.exec(select(Job)).all())

    page = live.as_("director").post("/downloads", data={"kind": "csv"})
    api = live.as_("director", api=True).post("/api/v1/downloads", json={"kind": "csv"})

    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert "queue cannot be reached" in page.text
    assert api.status_code == 503 and "queue cannot be reached" in api.json()["detail"]
    with Session(live.engine) as session:
        assert len(session.exec(select(Job)).all()) == before
