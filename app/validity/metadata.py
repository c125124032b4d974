"""What a photo's EXIF or a recording's header says: capture time, position, duration.

Read from the uploaded file before it is re-encoded without metadata. The position returned here
lives only in memory: capture.py turns it into a distance and drops it.
"""

import logging
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

log = logging.getLogger("mystery_patient")

EXIF_TIME = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class CaptureTime:
    at: datetime  # UTC
    zoned: bool  # False: the camera's local clock, read as if it were UTC


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float


def photo_metadata(image: Image.Image) -> tuple[CaptureTime | None, Position | None]:
    """Capture time and GPS position from an opened image's EXIF (JPEG, PNG eXIf, WebP EXIF).

    Any malformed tag gives None for that fact: a broken EXIF block must never stop an upload."""
    try:
        exif = image.getexif()
        gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
        details = dict(exif.get_ifd(ExifTags.IFD.Exif))
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on hostile EXIF
        log.info("unreadable EXIF block ignored")
        return None, None
    return _capture_time(gps, details, dict(exif)), _position(gps)


def _capture_time(gps: dict[int, Any], details: dict[int, Any], base: dict[int, Any]) -> CaptureTime | None:
    gps_time = _gps_time(gps)
    if gps_time is not None:
        return CaptureTime(gps_time, zoned=True)  # GPS time is UTC by definition
    text = details.get(ExifTags.Base.DateTimeOriginal) or base.get(ExifTags.Base.DateTime)
    if not isinstance(text, str):
        return None
    try:
        local = datetime.strptime(text.strip("\x00 ")[:19], EXIF_TIME)
    except ValueError:
        return None
    offset = _offset(details.get(ExifTags.Base.OffsetTimeOriginal))
    if offset is None:
        return CaptureTime(local.replace(tzinfo=UTC), zoned=False)
    return CaptureTime(local.replace(tzinfo=offset).astimezone(UTC), zoned=True)


def _offset(text: object) -> timezone | None:
    if not isinstance(text, str) or len(text.strip("\x00 ")) != 6:
        return None
    text = text.strip("\x00 ")
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = int(text[1:3]), int(text[4:6])
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    except ValueError:
        return None


def _gps_time(gps: dict[int, Any]) -> datetime | None:
    stamp, day = gps.get(ExifTags.GPS.GPSTimeStamp), gps.get(ExifTags.GPS.GPSDateStamp)
    if not isinstance(day, str) or not stamp or len(stamp) != 3:
        return None
    try:
        date = datetime.strptime(day.strip("\x00 "), "%Y:%m:%d")
        seconds = float(stamp[0]) * 3600 + float(stamp[1]) * 60 + float(stamp[2])
        return (date + timedelta(seconds=seconds)).replace(tzinfo=UTC)
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def _position(gps: dict[int, Any]) -> Position | None:
    try:
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    except (KeyError, ValueError, TypeError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude, longitude) == (0.0, 0.0):
        return None  # 0,0 is what a phone writes when it had no fix
    return Position(latitude, longitude)


def _degrees(value: Any, ref: object, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -result if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative else result


def recording_duration(path: Path) -> float | None:
    """Seconds of audio by the file's own header (mutagen), None when it does not say."""
    import mutagen  # loaded at the first recording, not at every start

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            audio = mutagen.File(path)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - mutagen raises many kinds on damaged files
        return None
    length = getattr(getattr(audio, "info", None), "length", None)
    return float(length) if isinstance(length, int | float) and length > 0 else None
