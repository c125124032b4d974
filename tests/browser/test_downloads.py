"""A director asks for the gap report as a PDF and for the wave's workbook, watches each being
prepared and downloads both, while a shopper on a phone keeps autosaving answers: no save waits for
the write turn, and every save stays fast (< 2 s on a machine that is not oversubscribed, far above
the benchmark's goal) because the files are made by a job worker, never inside a request, and
reads never wait for the write turn.

The live app (tests/browser/conftest.py) is plain uvicorn; this module adds its job worker, a
`mystery-patient worker` process on the same database and queue file."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import LiveApp, ShopperVisit, arrange_visit, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_clinic, make_region
from tests.reports.conftest import PERFECT
from tests.reports.factories import make_audit, make_version, make_wave

SLUG = "browser-downloads"
SAVE_BOUND_S = 2.0
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def worker(live_app: LiveApp) -> Iterator[subprocess.Popen[bytes]]:
    assert live_app.media_dir is not None
    env = {**os.environ, "MP_DATABASE_URL": live_app.database_url, "MP_MEDIA_DIR": str(live_app.media_dir),
           "MP_VAR_DIR": str(live_app.media_dir.parent / "var")}
    log = (live_app.media_dir.parent / "worker.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "app.cli.main", "worker", "--threads", "2"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def clinic_report(live_app: LiveApp) -> dict[str, Any]:
    with live_app.session() as session:
        version = make_version(session, small_checklist(SLUG))
        wave = make_wave(session, "Browser downloads wave")
        clinic = make_clinic(session, name="Browser Gamma", region=make_region(session, "Browser downloads region"))
        for _ in range(3):
            make_audit(session, version=version, clinic=clinic, wave=wave, answers=PERFECT)
        accounts.create_user(session, email="director-downloads@example.test", role=Role.director, password=PASSWORD,
                             whole_network=True)
        session.commit()
        return {"clinic": clinic.id, "wave": wave.id}


def _save(page: Any, server: list[float]) -> float:
    """Tap the other of yes and no on the greeting item; seconds until the server's fragment says
    saved. The request's own time (sent to answered, as the browser saw it) goes to `server`."""
    checked = page.locator('li[id="item-call.greeting"] input[value="yes"]:checked').count()
    value = "no" if checked else "yes"
    started = time.monotonic()
    with page.expect_response(lambda r: "/items/call.greeting" in r.url and r.request.method == "POST") as sent:
        page.locator('li[id="item-call.greeting"]').locator(f'label:has(input[value="{value}"])').click()
    page.locator(f'li[id="item-call.greeting"][data-save-state="saved"]:has(input[value="{value}"]:checked)'
                 ).wait_for(timeout=30_000)
    took = time.monotonic() - started
    timing = sent.value.request.timing
    server.append((timing["responseEnd"] - timing["requestStart"]) / 1000)
    return took


def _ask_and_download(page: Any, shopper: Any, button: str, saves: list[float],
                      server: list[float]) -> tuple[str, bytes, str]:
    """Click the button on the gap report, keep the shopper saving until the file is offered, then
    download it. Returns the status first shown, the file's bytes and its suggested name."""
    page.locator("form.ask-download button", has_text=button).first.click()
    page.wait_for_url("**/downloads/*")
    first_status = page.locator("section.download").get_attribute("data-status") or ""
    deadline = time.monotonic() + 300  # Chromium on a loaded 2-CPU box can take minutes
    while page.locator('section.download[data-status="done"]').count() == 0:
        assert time.monotonic() < deadline, "the file was not ready within five minutes"
        assert page.locator('section.download[data-status="failed"]').count() == 0, page.content()
        saves.append(_save(shopper, server))
    with page.expect_download() as info:
        page.locator("section.download a.button").click()
    download = info.value
    return first_status, Path(download.path()).read_bytes(), download.suggested_filename


def test_a_director_downloads_a_pdf_and_a_workbook_while_a_shopper_autosaves_quickly(
        browser: Any, live_app: LiveApp, phone: dict[str, Any], worker: subprocess.Popen[bytes],
        clinic_report: dict[str, Any]) -> None:
    visit: ShopperVisit = arrange_visit(live_app, slug="browser-downloads-visit")
    shopper_context = browser.new_context(**phone, locale="en-US")
    shopper = shopper_context.new_page()
    log_in_page(shopper, live_app, visit.email, PASSWORD)
    shopper.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    director_context = browser.new_context(viewport=LAPTOP, locale="en-US", accept_downloads=True)
    director = director_context.new_page()
    log_in_page(director, live_app, "director-downloads@example.test", PASSWORD)
    report = f"{live_app.url}/reports/clinics/{clinic_report['clinic']}?wave={clinic_report['wave']}&checklist={SLUG}"
    server: list[float] = []
    saves: list[float] = [_save(shopper, server)]  # one save before any background work

    director.goto(report)
    pdf_first, pdf, pdf_name = _ask_and_download(director, shopper, "PDF", saves, server)
    director.goto(report)
    xlsx_first, xlsx, xlsx_name = _ask_and_download(director, shopper, "Download XLSX", saves, server)

    assert pdf_first in ("queued", "running")  # Chromium takes seconds: the page came first
    assert xlsx_first in ("queued", "running", "done")
    assert pdf.startswith(b"%PDF") and pdf_name.endswith(".pdf")
    assert xlsx.startswith(b"PK") and xlsx_name.endswith(".xlsx")  # a zip: the workbook
    assert len(saves) >= 3
    assert live_app.media_dir is not None
    waits = [line for line in (live_app.media_dir.parent / "server.log").read_text().splitlines()
             if "for the write turn" in line]
    # 2 s on a machine that is not oversubscribed; on a shared box running many times more work than
    # it has CPUs, every process is that much slower, so the bound scales with the load. What a lock
    # would cause is checked without any allowance: no save waited for the write turn.
    bound = SAVE_BOUND_S * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    detail = (f"saves {[round(t, 2) for t in saves]}, of which the requests {[round(t, 2) for t in server]}; "
              f"turn waits {waits}; load average {os.getloadavg()}")
    assert waits == [], detail
    assert max(saves) < bound, detail
    assert worker.poll() is None
    shopper_context.close()
    director_context.close()
