"""Facts read from each upload before its metadata is stripped: capture time, distance to the clinic,
"no location", a perceptual hash, a recording's length. The stored file keeps none of the metadata."""

import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from app.fieldwork.models import Audit
from app.validity.models import EvidenceFacts
from tests.validity.conftest import as_user, facts_of, stored_bytes, upload
from tests.validity.images import FAR, NEAR, camera_exif, photo_bytes, scene, wav_bytes

FORMATS = ["JPEG", "PNG", "WEBP"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_photo_taken_near_the_clinic_keeps_its_time_and_distance_not_its_position(
        client: TestClient, session: Session, audit: Audit, shopper, fmt: str) -> None:  # type: ignore[no-untyped-def]
    data = photo_bytes(scene(1), fmt, camera_exif(at=datetime(2026, 10, 5, 12, 30), position=NEAR))
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, data))

    assert facts.has_location is True
    assert 80 < (facts.distance_m or 0) < 100
    assert facts.taken_at == datetime(2026, 10, 5, 9, 30, tzinfo=UTC) and facts.taken_at_zoned
    assert facts.phash and len(facts.phash) == 16
    assert not {"latitude", "longitude"} & set(EvidenceFacts.model_fields)  # nowhere to keep a position


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_photo_taken_far_from_the_clinic_is_measured_in_metres(
        client: TestClient, session: Session, audit: Audit, shopper, fmt: str) -> None:  # type: ignore[no-untyped-def]
    data = photo_bytes(scene(2), fmt, camera_exif(at=datetime(2026, 10, 5, 12, 30), position=FAR))
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, data))

    assert 2350 < (facts.distance_m or 0) < 2450


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_photo_without_metadata_says_no_location_and_no_time(
        client: TestClient, session: Session, audit: Audit, shopper, fmt: str) -> None:  # type: ignore[no-untyped-def]
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, photo_bytes(scene(3), fmt)))

    assert facts.has_location is False and facts.distance_m is None and facts.taken_at is None
    assert facts.phash is not None  # the picture itself is still compared


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_stored_photo_has_no_metadata_left(client: TestClient, session: Session, audit: Audit,
                                               shopper, fmt: str) -> None:  # type: ignore[no-untyped-def]
    data = photo_bytes(scene(4), fmt, camera_exif(at=datetime(2026, 10, 5, 12, 30), position=FAR))
    as_user(client, shopper)

    raw = stored_bytes(session, upload(client, audit, data))

    stored = Image.open(io.BytesIO(raw))
    assert not stored.getexif() and "exif" not in stored.info
    assert b"Exif" not in raw and b"Phone Camera X" not in raw and b"2026:10:05" not in raw


def test_a_camera_time_without_its_zone_is_kept_as_the_local_clock(
        client: TestClient, session: Session, audit: Audit, shopper) -> None:  # type: ignore[no-untyped-def]
    data = photo_bytes(scene(5), "JPEG", camera_exif(at=datetime(2026, 10, 5, 12, 30), offset=None))
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, data))

    assert facts.taken_at == datetime(2026, 10, 5, 12, 30, tzinfo=UTC) and not facts.taken_at_zoned


def test_a_plain_picture_is_not_hashed(client: TestClient, session: Session, audit: Audit,
                                       shopper) -> None:  # type: ignore[no-untyped-def]
    plain = photo_bytes(Image.new("RGB", (200, 100), (250, 250, 250)), "PNG")
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, plain))

    assert facts.phash is None  # any two white walls would hash alike


def test_a_recording_keeps_its_duration(client: TestClient, session: Session, audit: Audit,
                                        shopper) -> None:  # type: ignore[no-untyped-def]
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, wav_bytes(4.0), item="call.answer_time", name="call.wav"))

    assert facts.duration_s == pytest.approx(4.0, abs=0.01) and facts.phash is None


def test_a_photo_with_broken_exif_is_still_stored(client: TestClient, session: Session, audit: Audit,
                                                  shopper) -> None:  # type: ignore[no-untyped-def]
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (1.0, 2.0)}  # a latitude of two parts and no longitude
    exif[0x8769] = {0x9003: "yesterday-ish"}
    as_user(client, shopper)

    facts = facts_of(session, upload(client, audit, photo_bytes(scene(6), "JPEG", exif)))

    assert facts.has_location is False and facts.taken_at is None
