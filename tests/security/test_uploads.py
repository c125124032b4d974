"""Hostile uploads, each refused or neutralised: decompression bombs, bytes that are not what the name
and type claim, polyglots, SVG and HTML as photos, bodies over the size limit (stopped while they
stream), path tricks in file names, EXIF with GPS in JPEG, PNG and WebP. Each on the local media folder
and on S3 (a real SeaweedFS server)."""

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.fieldwork.models import Evidence
from app.main import app
from app.settings import get_settings
from app.storage import get_storage
from app.storage.base import read_all
from tests.own_thread import in_own_thread
from tests.security.world import World, as_user, build_world

GPS_MARKERS = (b"Phone Camera X", b"GPS", b"Exif\x00\x00")

pytestmark = pytest.mark.usefixtures("media_storage")


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def shopper(client: TestClient, world: World) -> TestClient:
    return as_user(client, world.logins["shopper"], api=True)


def _upload(client: TestClient, world: World, data: bytes, name: str = "photo.jpg",
            content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/audits/{world.draft.id}/evidence", data={"item": "reception.photo"},
                       files={"file": (name, data, content_type)})


def _evidence(session: Session, evidence_id: int) -> Evidence:
    session.expire_all()
    row = session.get(Evidence, evidence_id)
    assert row is not None
    return row


def _media_files() -> set[str]:
    return set(get_storage().names())


def _png(width: int, height: int, *, extra: bytes = b"") -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * 256)  # far fewer rows than declared: the header alone must refuse it
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"") + extra


def _jpeg(size: tuple[int, int] = (80, 60), **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0110] = "Phone Camera X"  # Model
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}  # GPSInfo
    return exif


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (8000, 6000)], ids=["900MP", "48MP"])
def test_a_decompression_bomb_is_refused_from_its_header_and_leaves_no_file(shopper: TestClient, world: World,
                                                                            width: int, height: int) -> None:
    before = _media_files()
    response = _upload(shopper, world, _png(width, height), name="bomb.png", content_type="image/png")
    assert response.status_code == 422
    assert "40" in response.json()["detail"]  # the limit in megapixels, in the reader's language
    assert _media_files() == before


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (b"just some text, not a picture at all\n" * 20, "photo.jpg", "image/jpeg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.svg", "image/svg+xml"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "photo.jpg", "image/jpeg"),
    (b"<!doctype html><html><script>alert(document.cookie)</script></html>", "photo.html", "text/html"),
    (b"<html><body onload=alert(1)>", "photo.jpg", "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.gif", "image/gif"),
    (b"%PDF-1.4\n%...\n", "photo.jpg", "image/jpeg"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg", "image/jpeg"),  # a JPEG header and nothing else
], ids=["text-as-jpeg", "svg", "svg-as-jpeg", "html", "html-as-jpeg", "gif", "pdf-as-jpeg", "truncated-jpeg"])
def test_a_file_that_is_not_a_photo_or_recording_is_refused_whatever_it_claims(
        shopper: TestClient, world: World, data: bytes, name: str, content_type: str) -> None:
    before = _media_files()
    response = _upload(shopper, world, data, name=name, content_type=content_type)
    assert response.status_code == 422, response.text
    assert _media_files() == before


@pytest.mark.parametrize("payload", [
    b"<html><script>alert(document.cookie)</script></html>",
    b"PK\x03\x04" + b"\x00" * 26 + b"META-INF/MANIFEST.MF" + b"Main-Class: Evil\n",  # a GIFAR-like JAR tail
], ids=["jpeg+html", "jpeg+jar"])
def test_a_polyglot_is_stored_as_the_reencoded_picture_only(shopper: TestClient, session: Session,
                                                           world: World, payload: bytes) -> None:
    response = _upload(shopper, world, _jpeg() + payload)
    assert response.status_code == 201, response.text
    row = _evidence(session, response.json()["id"])
    for name in (row.stored_name, row.thumb_name):
        stored = read_all(get_storage(), name or "")
        assert payload not in stored and b"<script" not in stored and b"PK\x03\x04" not in stored
        assert stored.startswith(b"\xff\xd8\xff") and stored.endswith(b"\xff\xd9")
    served = as_user(shopper, world.logins["shopper"]).get(f"/media/{row.id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert payload not in served.content


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "..\\..\\windows\\win.ini.jpg", "a/b/c.jpg",
                                  "/etc/cron.d/evil.jpg", "evil\x00.php.jpg", "%2e%2e%2fescape.jpg"])
def test_file_names_play_no_part_in_where_a_file_is_stored(shopper: TestClient, session: Session, world: World,
                                                           name: str) -> None:
    response = _upload(shopper, world, _jpeg(), name=name)
    assert response.status_code == 201, response.text
    row = _evidence(session, response.json()["id"])
    root = get_settings().media_path.resolve()
    for stored in (row.stored_name, row.thumb_name or ""):
        assert len(stored) == 36 and stored[:32].isalnum() and stored.endswith(".jpg")  # random hex name
        assert stored in _media_files()
        local = get_storage().local_path(stored)
        assert local is None or local.resolve().parent == root
    assert "passwd" not in response.text and "evil" not in response.text
    assert not (root.parent / "etc").exists() and not Path("/etc/cron.d/evil.jpg").exists()


def _with_gps(kind: str) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    image = Image.new("RGB", (120, 90), (200, 60, 20))
    image.save(buffer, kind, exif=_gps_exif())
    data = buffer.getvalue()
    assert b"Phone Camera X" in data  # the test file really carries the metadata
    if kind == "PNG":
        assert b"eXIf" in data
    if kind == "WEBP":
        assert b"EXIF" in data
    return data, {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[kind]


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_exif_with_gps_survives_in_neither_the_stored_photo_nor_its_thumbnail(
        shopper: TestClient, session: Session, world: World, kind: str) -> None:
    data, content_type = _with_gps(kind)
    response = _upload(shopper, world, data, name=f"gps.{kind.lower()}", content_type=content_type)
    assert response.status_code == 201, response.text
    row = _evidence(session, response.json()["id"])
    for name in (row.stored_name, row.thumb_name):
        raw = read_all(get_storage(), name or "")
        assert not [marker for marker in GPS_MARKERS if marker in raw]
        with Image.open(io.BytesIO(raw)) as stored:
            assert stored.format == "JPEG"
            assert not stored.getexif()
            assert not set(stored.info) & {"exif", "xmp", "icc_profile", "photoshop"}
    served = as_user(shopper, world.logins["shopper"]).get(f"/media/{row.id}/thumb")
    assert served.status_code == 200 and b"Phone Camera X" not in served.content


def _multipart_stream(total: int, boundary: str, chunk: int = 64 * 1024) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n"
           "Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff\xe0"
    sent = 0
    while sent < total:
        yield b"\0" * chunk
        sent += chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def _post_streaming(path: str, token: str, body: Iterator[bytes]) -> tuple[int, int]:
    """Sends a chunked body (no Content-Length) straight to the ASGI app; the status and how many body
    bytes the app pulled before it answered."""
    boundary = "hostileboundary"
    consumed = 0
    status = 0

    async def receive() -> dict[str, object]:
        nonlocal consumed
        chunk = next(body, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    headers = [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode()),
               (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
               (b"transfer-encoding", b"chunked")]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    in_own_thread(anyio.run, app, scope, receive, send)
    return status, consumed


def test_a_body_over_the_size_limit_is_stopped_while_it_streams(client: TestClient, world: World,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    limit = get_settings().max_upload_bytes
    total = 40 * limit  # 40 MB offered; the app must stop reading long before the end
    before = _media_files()
    status, consumed = _post_streaming(f"/api/v1/audits/{world.draft.id}/evidence",
                                       world.logins["shopper"].api_token, _multipart_stream(total, "hostileboundary"))
    assert status == 413
    assert consumed < 2 * limit, f"read {consumed} bytes of {total} before refusing"
    assert _media_files() == before
    assert not list(get_storage().scratch.glob("upload-*"))


def test_a_body_declaring_a_length_over_the_limit_is_refused_before_it_is_read(
        shopper: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    response = shopper.post(f"/api/v1/audits/{world.draft.id}/evidence", content=b"x" * 10,
                            headers={"Content-Type": "multipart/form-data; boundary=x",
                                     "Content-Length": str(50 * 1024 * 1024)})
    assert response.status_code == 413


def test_an_oversized_file_is_refused_in_the_shoppers_form_too(client: TestClient, world: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    as_user(client, world.logins["shopper"])
    response = client.post(f"/visits/{world.draft.id}/items/reception.photo/files",
                           data={"client_upload_id": "big-1"},
                           files={"file": ("big.jpg", b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024), "image/jpeg")})
    assert response.status_code == 413
    assert not list(get_storage().scratch.glob("upload-*"))


def test_uploaded_media_of_an_audit_is_served_to_no_one_outside_it(client: TestClient, session: Session,
                                                                   world: World) -> None:
    as_user(client, world.logins["shopper"], api=True)
    uploaded = _upload(client, world, _jpeg()).json()["id"]
    for who in ("other_shopper", "other_manager", "other_director", "manager", "director"):
        as_user(client, world.logins[who])  # a draft: even the clinic's own readers wait for approval
        assert client.get(f"/media/{uploaded}").status_code == 404, who
        assert client.get(f"/media/{uploaded}/thumb").status_code == 404, who
    rows = session.exec(select(Evidence).where(Evidence.audit_id == world.draft.id)).all()
    assert uploaded in {row.id for row in rows}
