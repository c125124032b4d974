"""The S3 store going down mid-run and coming back: uploads answer 503 with Retry-After (nothing
half-stored, the phone sends again later), /readyz names the media storage, and every acknowledged
photo is served again once the store is back."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.fieldwork.models import Audit, Evidence
from app.settings import get_settings
from tests.fieldwork.helpers import picture
from tests.seaweedfs import SeaweedFS


@pytest.fixture(scope="module")
def own_s3() -> Iterator[SeaweedFS]:
    with tempfile.TemporaryDirectory(prefix="mp-s3-down-") as work, SeaweedFS(Path(work)) as server:
        yield server


@pytest.fixture
def on_own_s3(own_s3: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    for name, value in own_s3.settings(prefix="down").items():
        monkeypatch.setattr(get_settings(), name.removeprefix("MP_").lower(), value)
    return own_s3


def _upload(client: TestClient, audit: Audit, upload_id: str, seed: int):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/audits/{audit.id}/evidence", data={"client_upload_id": upload_id},
                       files={"file": ("p.jpg", picture(size=(64 + seed, 48)), "image/jpeg")})


def test_uploads_wait_for_the_store_and_nothing_acknowledged_is_lost(
        on_own_s3: SeaweedFS, as_shopper: TestClient, audit: Audit, session: Session) -> None:
    before = _upload(as_shopper, audit, "before-1", 1)
    assert before.status_code == 201, before.text

    on_own_s3.stop()
    during = _upload(as_shopper, audit, "during-1", 2)
    ready_down = as_shopper.get("/readyz")
    served_down = as_shopper.get(f"/media/{before.json()['id']}")
    rows_down = session.exec(select(Evidence.client_upload_id).where(Evidence.audit_id == audit.id)).all()
    on_own_s3.start()
    resent = _upload(as_shopper, audit, "during-1", 2)
    ready_up = as_shopper.get("/readyz")

    assert during.status_code == 503 and int(during.headers["retry-after"]) > 0
    assert "store" in during.json()["detail"]
    assert ready_down.status_code == 503 and ready_down.json()["checks"]["media"].startswith("s3://mystery-patient/down")
    assert ready_down.json()["checks"]["database"] == "ok"
    assert served_down.status_code == 503  # not 500, not a 404 that would look like a lost photo
    assert sorted(rows_down) == ["before-1"]  # the refused upload left no row behind
    assert resent.status_code == 201
    assert ready_up.status_code == 200
    for body in (before.json(), resent.json()):
        for url in (body["url"], body["thumb_url"]):
            response = as_shopper.get(url)
            assert response.status_code == 200 and response.content.startswith(b"\xff\xd8\xff")
