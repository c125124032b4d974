"""With MP_S3_PUBLIC_URL set, a download is a redirect to a short-lived presigned link, issued only
after the app's own permission check; without it the app streams the file from S3 itself."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.fieldwork.models import Audit
from app.settings import get_settings
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import picture
from tests.seaweedfs import SeaweedFS


@pytest.fixture
def on_s3(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    for name, value in seaweedfs.settings(prefix="links").items():
        monkeypatch.setattr(get_settings(), name.removeprefix("MP_").lower(), value)
    return seaweedfs


def test_without_a_public_url_the_app_streams_the_file_from_s3(on_s3: SeaweedFS, as_shopper: TestClient,
                                                               audit: Audit) -> None:
    data = picture(size=(90, 60))
    body = as_shopper.post(f"/api/v1/audits/{audit.id}/evidence", files={"file": ("p.jpg", data, "image/jpeg")}).json()

    response = as_shopper.get(f"/media/{body['id']}")

    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8\xff") and response.headers["cache-control"].startswith("private")
    assert 'filename="evidence-' in response.headers["content-disposition"]


def test_a_presigned_link_is_issued_only_after_the_permission_check(on_s3: SeaweedFS, client: TestClient,
                                                                   session: Session, as_shopper: TestClient,
                                                                   audit: Audit,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "s3_public_url", on_s3.endpoint)
    body = as_shopper.post(f"/api/v1/audits/{audit.id}/evidence",
                           files={"file": ("p.jpg", picture(size=(90, 60)), "image/jpeg")}).json()

    owner = as_shopper.get(f"/media/{body['id']}")
    fetched = httpx.get(owner.headers["location"], timeout=10)
    client.cookies.clear()
    log_in_as(client, session, Role.shopper)
    stranger = client.get(f"/media/{body['id']}")

    assert owner.status_code == 307 and owner.headers["cache-control"] == "no-store"
    link = urlparse(owner.headers["location"])
    assert f"{link.scheme}://{link.netloc}" == on_s3.endpoint
    assert parse_qs(link.query)["X-Amz-Expires"] == ["60"]
    assert fetched.status_code == 200 and fetched.content.startswith(b"\xff\xd8\xff")
    assert stranger.status_code == 404 and "location" not in stranger.headers
    assert httpx.get(owner.headers["location"].replace("X-Amz-Signature=", "X-Amz-Signature=0"),
                     timeout=10).status_code == 403
