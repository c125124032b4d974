import io
import os
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.accounts.models import Role
from app.clinics.models import Clinic
from app.fieldwork import media
from app.fieldwork.models import Audit, AuditStatus, Evidence
from app.settings import get_settings
from app.storage import get_storage
from app.storage.base import read_all
from tests.factories import make_clinic
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import gps_exif, make_audit, picture, tone_wav

pytestmark = pytest.mark.usefixtures("media_storage")  # each test on the local folder and on S3


def _stored_bytes(name: str) -> bytes:
    return read_all(get_storage(), name)


def _upload(client: TestClient, audit: Audit, data: bytes, name: str = "photo.jpg",
            content_type: str = "image/jpeg", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/audits/{audit.id}/evidence", data=fields,
                        files={"file": (name, data, content_type)})


def _stored(session: Session, evidence_id: int) -> Image.Image:
    evidence = session.get(Evidence, evidence_id)
    assert evidence is not None
    return Image.open(io.BytesIO(_stored_bytes(evidence.stored_name)))


def _bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG whose header claims a huge picture."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def test_a_jpeg_with_gps_is_stored_without_any_exif_and_at_most_2048_px(as_shopper: TestClient, audit: Audit,
                                                                        session: Session) -> None:
    original = picture("JPEG", size=(3000, 2000), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the input really carries GPS

    response = _upload(as_shopper, audit, original, item="reception.photo")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "photo" and body["url"].endswith(f"/media/{body['id']}")
    assert body["thumb_url"].endswith(f"/media/{body['id']}/thumb")
    stored = _stored(session, body["id"])
    assert stored.format == "JPEG" and max(stored.size) == 2048
    assert stored.size == (1365, 2048)  # EXIF orientation 6 applied: the picture stands upright
    assert not stored.getexif() and "exif" not in stored.info and "icc_profile" not in stored.info
    raw = _stored_bytes(session.get(Evidence, body["id"]).stored_name)  # type: ignore[union-attr]
    assert b"Exif" not in raw and b"Phone Camera X" not in raw


def test_a_thumbnail_of_at_most_320_px_is_made(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    body = _upload(as_shopper, audit, picture("JPEG", size=(1200, 900))).json()

    evidence = session.get(Evidence, body["id"])
    assert evidence is not None and evidence.thumb_name
    thumb = Image.open(io.BytesIO(_stored_bytes(evidence.thumb_name)))
    assert max(thumb.size) == 320 and evidence.item_id is None


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_re_encoded_as_jpeg(as_shopper: TestClient, audit: Audit, session: Session,
                                              fmt: str) -> None:
    response = _upload(as_shopper, audit, picture(fmt, size=(400, 300)), name=f"x.{fmt.lower()}",
                       content_type=f"image/{fmt.lower()}")

    assert response.status_code == 201, response.text
    assert _stored(session, response.json()["id"]).format == "JPEG"


def test_a_transparent_png_is_flattened_on_white(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buffer, "PNG")

    body = _upload(as_shopper, audit, buffer.getvalue(), name="t.png").json()

    assert _stored(session, body["id"]).convert("RGB").getpixel((25, 25)) == (255, 255, 255)


@pytest.mark.parametrize(("data", "name"), [
    (b"just some text, not a picture at all", "photo.jpg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.svg"),
    (b"<!doctype html><html><body>hello</body></html>", "photo.jpg"),
    (b"", "empty.jpg"),
])
def test_a_file_that_is_not_a_photo_or_recording_is_422(as_shopper: TestClient, audit: Audit, data: bytes,
                                                         name: str, session: Session) -> None:
    response = _upload(as_shopper, audit, data, name=name)

    assert response.status_code == 422
    assert "not a photo" in response.json()["detail"]
    assert session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).first() is None


def test_a_truncated_jpeg_is_422(as_shopper: TestClient, audit: Audit) -> None:
    response = _upload(as_shopper, audit, picture("JPEG", size=(500, 500))[:300])

    assert response.status_code == 422


def test_a_decompression_bomb_is_422(as_shopper: TestClient, audit: Audit) -> None:
    response = _upload(as_shopper, audit, _bomb_png(), name="bomb.png", content_type="image/png")

    assert response.status_code == 422
    assert "too many pixels" in response.json()["detail"]


def test_a_file_over_the_limit_is_413(as_shopper: TestClient, audit: Audit, monkeypatch: pytest.MonkeyPatch,
                                      session: Session) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)

    response = _upload(as_shopper, audit, b"\xff\xd8\xff" + os.urandom(1024 * 1024 + 10))

    assert response.status_code == 413
    assert response.json()["detail"] == "The file is too large: at most 1 MB."
    assert session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).first() is None


def test_a_body_far_over_the_limit_is_refused_from_its_declared_length(as_shopper: TestClient, audit: Audit,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)

    response = _upload(as_shopper, audit, os.urandom(3 * 1024 * 1024))

    assert response.status_code == 413


@pytest.mark.parametrize(("head", "kind", "content_type"), [
    (b"ID3\x03\x00\x00\x00", "audio", "audio/mpeg"),
    (b"\xff\xfb\x90\x64\x00", "audio", "audio/mpeg"),
    (b"OggS\x00\x02", "audio", "audio/ogg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio", "audio/wav"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio", "audio/mp4"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "audio", "audio/webm"),
    (b"\xff\xf1\x50\x80", "audio", "audio/aac"),
])
def test_recordings_are_recognised_by_their_bytes(head: bytes, kind: str, content_type: str) -> None:
    sniffed = media.sniff(head + b"\x00" * 32)

    assert (sniffed.kind, sniffed.content_type) == (kind, content_type)


def test_an_untagged_recording_is_kept_as_sent_and_served_with_the_type_of_its_bytes(
        as_shopper: TestClient, audit: Audit) -> None:
    data = tone_wav()

    body = _upload(as_shopper, audit, data, name="call.mp3", content_type="audio/mpeg", item="call.greeting").json()
    served = as_shopper.get(f"/media/{body['id']}")

    assert body["kind"] == "audio" and body["thumb_url"] is None
    assert served.status_code == 200 and served.content == data
    assert served.headers["content-type"] == "audio/wav"


def test_a_resend_with_the_same_upload_id_returns_the_same_evidence(as_shopper: TestClient, audit: Audit,
                                                                    session: Session) -> None:
    first = _upload(as_shopper, audit, picture(), client_upload_id="u-1").json()
    second = _upload(as_shopper, audit, picture(), client_upload_id="u-1").json()

    assert first["id"] == second["id"]
    assert len(session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).all()) == 1


def test_an_upload_for_an_unknown_item_is_422(as_shopper: TestClient, audit: Audit) -> None:
    response = _upload(as_shopper, audit, picture(), item="no.such.item")

    assert response.status_code == 422
    assert response.json()["detail"][0]["item"] == "no.such.item"


def test_an_upload_without_a_file_is_422(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/api/v1/audits/{audit.id}/evidence", data={"item": "reception.photo"})

    assert response.status_code == 422


def test_uploads_after_submit_are_409_and_for_another_shopper_404(as_shopper: TestClient, audit: Audit,
                                                                   session: Session) -> None:
    foreign = make_audit(session)
    audit.status = AuditStatus.submitted
    session.add(audit)
    session.commit()

    assert _upload(as_shopper, audit, picture()).status_code == 409
    assert _upload(as_shopper, foreign, picture()).status_code == 404


def test_evidence_can_be_removed_while_draft_and_its_files_go(as_shopper: TestClient, audit: Audit,
                                                              session: Session) -> None:
    body = _upload(as_shopper, audit, picture()).json()
    evidence = session.get(Evidence, body["id"])
    assert evidence is not None
    files = {evidence.stored_name, evidence.thumb_name}
    assert files <= set(get_storage().names())

    response = as_shopper.delete(f"/api/v1/audits/{audit.id}/evidence/{body['id']}")

    assert response.status_code == 204
    assert not files & set(get_storage().names())
    assert as_shopper.get(f"/media/{body['id']}").status_code == 404


def test_the_page_remove_button_returns_the_item_fragment(as_shopper: TestClient, audit: Audit) -> None:
    body = _upload(as_shopper, audit, picture(), item="reception.photo").json()

    response = as_shopper.post(f"/visits/{audit.id}/evidence/{body['id']}/delete", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="item-reception.photo"') and "/thumb" not in response.text


def test_media_is_served_to_the_owner_and_qa_only_until_approved(client: TestClient, session: Session) -> None:
    shopper = log_in_as(client, session, Role.shopper)
    audit = make_audit(session, shopper=shopper)
    evidence_id = _upload(client, audit, picture()).json()["id"]
    seen = {}
    for role in (Role.qa_lead, Role.admin, Role.shopper, Role.director, Role.manager):
        client.cookies.clear()
        fields = {"clinic_id": audit.clinic_id} if role == Role.manager else {}
        log_in_as(client, session, role, **fields)
        seen[role] = (client.get(f"/media/{evidence_id}").status_code,
                             client.get(f"/media/{evidence_id}/thumb").status_code)

    assert seen == {Role.qa_lead: (200, 200), Role.admin: (200, 200), Role.shopper: (404, 404),
                           Role.director: (404, 404), Role.manager: (404, 404)}


def test_media_is_served_to_directors_in_scope_once_approved(client: TestClient, session: Session) -> None:
    shopper = log_in_as(client, session, Role.shopper)
    audit = make_audit(session, shopper=shopper)
    evidence_id = _upload(client, audit, picture()).json()["id"]
    audit.status = AuditStatus.approved
    session.add(audit)
    session.commit()
    clinic = session.get(Clinic, audit.clinic_id)
    assert clinic is not None
    elsewhere = make_clinic(session)
    session.commit()

    client.cookies.clear()
    log_in_as(client, session, Role.director, region_ids=[clinic.region_id])
    in_scope = client.get(f"/media/{evidence_id}").status_code
    client.cookies.clear()
    log_in_as(client, session, Role.director, region_ids=[elsewhere.region_id])
    out_of_scope = client.get(f"/media/{evidence_id}").status_code
    client.cookies.clear()
    log_in_as(client, session, Role.manager, clinic_id=audit.clinic_id)
    manager = client.get(f"/media/{evidence_id}/thumb").status_code

    assert (in_scope, out_of_scope, manager) == (200, 404, 200)


def test_media_needs_a_login(client: TestClient) -> None:
    assert client.get("/media/1").status_code in (303, 401)
