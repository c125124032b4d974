"""Recordings are stored without their tags (issue 12): real tagged WAV, MP3, Ogg Opus and M4A bytes
made here, uploaded through the app, read back from the media storage; the place, the device and the
name are gone and the file still parses as audio."""

import io
import struct
import wave
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mutagen import File as MutagenFile
from mutagen.id3 import ID3, TIT2, TXXX
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.ogg import OggPage
from mutagen.wave import WAVE
from sqlmodel import Session

from app.fieldwork.models import Audit, Evidence
from app.storage import get_storage
from app.storage.base import read_all
from tests.fieldwork.helpers import tone_wav

pytestmark = pytest.mark.usefixtures("media_storage")  # each test on the local folder and on S3

SECRETS = (b"55.7558", b"37.6173", b"Pixel 8", b"Anna Petrova")  # the place, the device, the shopper


def riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def tagged_wav(tmp_path: Path) -> bytes:
    """A WAV with a LIST/INFO chunk (device, name) and an ID3 chunk (location) added by mutagen."""
    data = tone_wav()
    info = riff_chunk(b"LIST", b"INFO" + riff_chunk(b"ISFT", b"Pixel 8 Recorder\x00")
                      + riff_chunk(b"IART", b"Anna Petrova\x00"))
    body = data[12:] + info
    path = tmp_path / "tagged.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    tagged = WAVE(path)
    tagged.add_tags()
    assert tagged.tags is not None
    tagged.tags.add(TXXX(encoding=3, desc="location", text=["+55.7558+037.6173/"]))
    tagged.save()
    return path.read_bytes()


def tagged_mp3(tmp_path: Path) -> bytes:
    """Forty MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) behind an ID3v2 tag, with an ID3v1 tag."""
    header = b"\xff\xfb\x90\x64"
    frames = (header + b"\x00" * (417 - 4)) * 40
    path = tmp_path / "tagged.mp3"
    path.write_bytes(frames)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Anna Petrova"]))
    tags.add(TXXX(encoding=3, desc="device", text=["Pixel 8"]))
    tags.add(TXXX(encoding=3, desc="location", text=["55.7558, 37.6173"]))
    tags.save(path, v1=2)
    return path.read_bytes()


def tagged_opus(tmp_path: Path) -> bytes:
    """An Ogg Opus stream (head, comments, two audio pages) whose comments hold the place and device."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    fields = [b"LOCATION=55.7558, 37.6173", b"DEVICE=Pixel 8"]
    comments = (b"OpusTags" + struct.pack("<I", 7) + b"libopus" + struct.pack("<I", len(fields))
                + b"".join(struct.pack("<I", len(field)) + field for field in fields))
    pages = []
    for sequence, (packets, position) in enumerate([([head], 0), ([comments], 0), ([b"\xfc" + b"\x00" * 40], 960),
                                                     ([b"\xfc" + b"\x00" * 40], 1920)]):
        page = OggPage()
        page.serial, page.sequence, page.packets, page.position = 7, sequence, packets, position
        page.first, page.last = sequence == 0, sequence == 3
        pages.append(page.write())
    path = tmp_path / "tagged.opus"
    path.write_bytes(b"".join(pages))
    return path.read_bytes()


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, body: bytes) -> bytes:
    return box(kind, b"\x00\x00\x00\x00" + body)


def tagged_m4a(tmp_path: Path) -> bytes:
    """A minimal M4A (one sound track, one AAC sample) with iTunes tags written by mutagen and an
    Apple location and device in moov/udta, as an iPhone's voice memo has them."""
    sample = b"\x21\x00\x03\x40\x68\x1c"
    mdhd = full_box(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 1024, 0x55C4, 0))
    hdlr = full_box(b"hdlr", struct.pack(">I4s12s", 0, b"soun", b"") + b"\x00")
    esds = full_box(b"esds", bytes.fromhex("03190000000411401500000000000000000000000502121006010102"))
    mp4a = box(b"mp4a", b"\x00" * 6 + struct.pack(">H", 1) + b"\x00" * 8
               + struct.pack(">HHHHI", 1, 16, 0, 0, 44100 << 16) + esds)
    stsd = full_box(b"stsd", struct.pack(">I", 1) + mp4a)
    stts = full_box(b"stts", struct.pack(">III", 1, 1, 1024))
    stsc = full_box(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
    stsz = full_box(b"stsz", struct.pack(">III", 0, 1, len(sample)))

    def movie(chunk_offset: int) -> bytes:
        stco = full_box(b"stco", struct.pack(">II", 1, chunk_offset))
        stbl = box(b"stbl", stsd + stts + stsc + stsz + stco)
        minf = box(b"minf", full_box(b"smhd", b"\x00" * 4) + stbl)
        trak = box(b"trak", full_box(b"tkhd", struct.pack(">IIIII", 0, 0, 1, 0, 1024) + b"\x00" * 60)
                   + box(b"mdia", mdhd + hdlr + minf))
        udta = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", 18, 0) + b"+55.7558+037.6173/")
                   + box(b"\xa9mod", struct.pack(">HH", 7, 0) + b"Pixel 8"))
        mvhd = full_box(b"mvhd", struct.pack(">IIII", 0, 0, 44100, 1024) + b"\x00" * 80)
        return box(b"moov", mvhd + trak + udta)

    ftyp = box(b"ftyp", b"M4A " + struct.pack(">I", 0) + b"M4A isom")
    mdat_start = len(ftyp) + len(movie(0)) + 8
    path = tmp_path / "tagged.m4a"
    path.write_bytes(ftyp + movie(mdat_start) + box(b"mdat", sample))
    tagged = MP4(path)
    tagged.add_tags()
    assert tagged.tags is not None
    tagged.tags["\xa9ART"] = ["Anna Petrova"]
    tagged.tags["\xa9too"] = ["Pixel 8 Recorder"]
    tagged.save()
    return path.read_bytes()


def upload_and_read_back(client: TestClient, session: Session, audit: Audit, data: bytes,
                         name: str) -> tuple[Evidence, bytes]:
    response = client.post(f"/api/v1/audits/{audit.id}/evidence", data={"item": "call.greeting"},
                           files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 201, response.text
    evidence = session.get(Evidence, response.json()["id"])
    assert evidence is not None
    return evidence, read_all(get_storage(), evidence.stored_name)


def test_a_wav_loses_its_info_and_id3_chunks_and_keeps_its_sound(
        as_shopper: TestClient, session: Session, audit: Audit, tmp_path: Path) -> None:
    data = tagged_wav(tmp_path)
    assert all(secret in data for secret in (b"Pixel 8", b"Anna Petrova", b"55.7558"))

    evidence, stored = upload_and_read_back(as_shopper, session, audit, data, "call.wav")

    assert evidence.content_type == "audio/wav" and evidence.size_bytes == len(stored)
    assert not any(secret in stored for secret in SECRETS)
    with wave.open(io.BytesIO(stored)) as sound:
        assert (sound.getnframes(), sound.getframerate()) == (8000, 8000)
    assert stored == tone_wav()  # exactly the sound chunks the recorder wrote


def test_an_mp3_loses_its_id3_tags_and_still_parses(as_shopper: TestClient, session: Session, audit: Audit,
                                                     tmp_path: Path) -> None:
    data = tagged_mp3(tmp_path)
    assert b"Pixel 8" in data and data.startswith(b"ID3") and data[-128:].startswith(b"TAG")

    evidence, stored = upload_and_read_back(as_shopper, session, audit, data, "call.mp3")

    assert evidence.content_type == "audio/mpeg"
    assert not any(secret in stored for secret in SECRETS) and b"TAG" not in stored[-128:]
    parsed = MP3(io.BytesIO(stored))
    assert parsed.tags is None and parsed.info.sample_rate == 44100 and parsed.info.length > 0.9


def test_an_ogg_opus_recording_loses_its_comments_and_still_parses(
        as_shopper: TestClient, session: Session, audit: Audit, tmp_path: Path) -> None:
    data = tagged_opus(tmp_path)
    assert MutagenFile(io.BytesIO(data))["device"] == ["Pixel 8"]  # a real Opus stream with comments

    evidence, stored = upload_and_read_back(as_shopper, session, audit, data, "call.opus")

    assert evidence.content_type == "audio/ogg"
    assert not any(secret in stored for secret in SECRETS)
    parsed = MutagenFile(io.BytesIO(stored))
    assert parsed is not None and type(parsed).__name__ == "OggOpus" and not list(parsed.tags.keys())


def test_an_m4a_loses_its_tags_and_apple_location_and_still_parses(
        as_shopper: TestClient, session: Session, audit: Audit, tmp_path: Path) -> None:
    data = tagged_m4a(tmp_path)
    tagged = MP4(io.BytesIO(data))
    assert tagged.tags is not None and tagged.tags["\xa9ART"] == ["Anna Petrova"] and b"\xa9xyz" in data

    evidence, stored = upload_and_read_back(as_shopper, session, audit, data, "memo.m4a")

    assert evidence.content_type == "audio/mp4"
    assert not any(secret in stored for secret in SECRETS) and b"\xa9xyz" not in stored
    parsed = MP4(io.BytesIO(stored))
    assert not parsed.tags and parsed.info.sample_rate == 44100
    chunk_offset = struct.unpack(">I", stored[stored.index(b"stco") + 12:][:4])[0]
    assert stored[chunk_offset:chunk_offset + 6] == b"\x21\x00\x03\x40\x68\x1c"  # the index finds the sound


def test_bytes_that_only_look_like_a_recording_are_refused_and_nothing_is_stored(
        as_shopper: TestClient, session: Session, audit: Audit) -> None:
    before = set(get_storage().names())

    response = as_shopper.post(f"/api/v1/audits/{audit.id}/evidence", data={"item": "call.greeting"},
                               files={"file": ("call.ogg", b"OggS\x00\x02" + b"\x00" * 2000, "audio/ogg")})

    assert response.status_code == 422
    assert response.json()["detail"] == "The recording could not be read; it may be damaged."
    assert set(get_storage().names()) == before
