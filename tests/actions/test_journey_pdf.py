"""The journey map prints on A3 landscape: a PDF by headless Chromium, from the print CSS."""

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.db_types import utcnow
from app.reports import pdf
from tests.actions.conftest import World, approved_visit, gap_action, mark_done
from tests.factories import PASSWORD, make_clinic, make_user
from tests.web import log_in


# In CI (CI=true) the tools are installed by .ci/run, so the test never skips there.
@pytest.mark.skipif(not os.environ.get("CI") and not (pdf.chromium() and shutil.which("pdfinfo")),
                    reason="needs Chromium and poppler-utils (pdfinfo, pdftotext)")
def test_the_journey_map_pdf_is_one_a3_landscape_page_with_its_stickers(client: TestClient, session: Session,
                                                                         world: World, tmp_path: Path) -> None:
    fixed = gap_action(session, world, title="Answer within 20 s", items=("call.answer_time",))
    mark_done(session, world, fixed, at=utcnow() - timedelta(days=10))
    approved_visit(session, world, at=utcnow() - timedelta(days=2), changes={"reception.wait": "long"})
    world.manager.language = "en"
    session.add(world.manager)
    log_in(client, world.manager.email, PASSWORD)

    response = client.get(f"/reports/clinics/{world.clinic.id}/journey.pdf")

    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "journey-map-clinic" in response.headers["content-disposition"]
    source = tmp_path / "journey.pdf"
    source.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(source)], check=True, timeout=60, capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(n) for n in size.split(":")[1].split("pts")[0].split(" x "))
    assert (round(width), round(height)) == (1191, 842), size  # A3 landscape in points
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    assert world.clinic.name in text and "Answer within 20 s" in text and "Waiting" in text
    assert "create action" not in text  # links for the screen only


def test_the_journey_pdf_keeps_the_scope_rules(client: TestClient, session: Session, world: World) -> None:
    stranger = make_user(session, Role.manager, clinic_id=make_clinic(session).id)
    log_in(client, stranger.email, PASSWORD)

    assert client.get(f"/reports/clinics/{world.clinic.id}/journey.pdf").status_code == 404
