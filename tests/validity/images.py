"""Real picture and recording bytes for the validity tests: photographs with structure (not flat colours,
which are too plain to compare), EXIF with GPS and capture times written by Pillow's Exif API."""

import io
import math
import random
import struct
import wave
from datetime import datetime
from typing import Any

from PIL import Image, ImageFilter

# A clinic in central Moscow and points around it.
CLINIC = (55.7558, 37.6173)
NEAR = (55.7565, 37.6180)  # about 90 m away
FAR = (55.7774, 37.6173)  # 2.4 km north


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A smooth random picture (blobs of colour): like a photo, its shape survives resizing and JPEG."""
    rng = random.Random(seed)
    small = Image.new("RGB", (8, 6))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(8 * 6)])
    return small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(4))


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = math.floor(value)
    minutes = math.floor((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def camera_exif(*, at: datetime | None = None, offset: str | None = "+03:00",
                position: tuple[float, float] | None = None) -> Image.Exif:
    """EXIF as a phone writes it: model, capture time (local, with its offset), GPS position."""
    exif = Image.Exif()
    exif[0x0110] = "Phone Camera X"  # Model
    details: dict[int, Any] = {}
    if at is not None:
        details[0x9003] = at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal (local clock)
        if offset:
            details[0x9011] = offset  # OffsetTimeOriginal
        exif[0x8769] = details
    if position is not None:
        lat, lon = position
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
    return exif


def photo_bytes(image: Image.Image, fmt: str = "JPEG", exif: Image.Exif | None = None, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"exif": exif} if exif is not None else {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def resaved(data: bytes, *, scale: float = 0.5, quality: int = 60) -> bytes:
    """A copy as a messenger would forward it: smaller, re-compressed, metadata gone."""
    with Image.open(io.BytesIO(data)) as image:
        smaller = image.convert("RGB").resize((int(image.width * scale), int(image.height * scale)),
                                              Image.Resampling.LANCZOS)
    return photo_bytes(smaller, "JPEG", quality=quality)


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a quiet tone lasting `seconds`."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(b"".join(struct.pack("<h", int(800 * math.sin(i / 9))) for i in range(frames)))
    return buffer.getvalue()
