"""Fieldwork test helpers: a published checklist, a wave, an assigned audit, real picture and sound bytes."""

import io
import itertools
import struct
import wave
from datetime import date
from typing import Any

from PIL import Image
from sqlmodel import Session

from app.accounts.models import Role, User
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.clinics.models import Clinic
from app.fieldwork import answers, assignments, waves
from app.fieldwork.models import Audit, Wave
from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_user

_counter = itertools.count(1)

# Answers that complete the small checklist (reception.photo still needs a file).
COMPLETE = {"call.answer_time": 12, "call.greeting": True, "call.callback": True, "call.mood": 1,
            "reception.politeness": 5, "reception.wait": "short"}


def publish_checklist(session: Session, slug: str = "test-clinic") -> None:
    save_version(session, ChecklistDoc.model_validate(small_checklist(slug)))


def make_wave(session: Session, name: str | None = None) -> Wave:
    return waves.create_wave(session, name=name or f"Wave {next(_counter)}", starts_on=date(2026, 10, 1),
                             ends_on=date(2026, 12, 31))


def make_audit(session: Session, *, shopper: User | None = None, clinic: Clinic | None = None,
               wave: Wave | None = None, slug: str = "test-clinic") -> Audit:
    """A draft audit of the small checklist, published first if needed."""
    from app.checklists.versions import ChecklistNotFound, latest_version

    try:
        latest_version(session, slug)
    except ChecklistNotFound:
        publish_checklist(session, slug)
    assignment = assignments.assign_visit(
        session, wave=wave or make_wave(session), clinic=clinic or make_clinic(session, address="Tverskaya 1"),
        checklist_slug=slug, scenario=None, shopper=shopper or make_user(session, Role.shopper),
        window_start=date(2026, 10, 1), window_end=date(2026, 10, 15))
    audit = assignments.audit_for(session, assignment)
    session.commit()  # a savepoint: a request that fails and rolls back keeps the set-up rows
    return audit


def answer_all(session: Session, audit: Audit, values: dict[str, Any] | None = None) -> None:
    for key, value in (values or COMPLETE).items():
        answers.record_answer(session, audit=audit, item_key=key, value=value)


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None,
            color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    options: dict[str, Any] = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gps_exif() -> Image.Exif:
    """EXIF with a camera model, an orientation and a GPS position (Moscow)."""
    exif = Image.Exif()
    exif[0x0110] = "Phone Camera X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}  # GPSInfo
    return exif


def tone_wav() -> bytes:
    """One second of a saw tone as a plain WAV (only fmt and data chunks), 8 kHz mono 16 bit."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"".join(struct.pack("<h", (i * 300) % 20000 - 10000) for i in range(8000)))
    return out.getvalue()
