"""Media files: what an upload really is (sniffed from its bytes), photos re-encoded without any
metadata, and where files live (under the media folder, random names, never in a static folder).

Files go to the configured media storage (app.storage: a local folder or S3); only uploads being
received and re-encoded touch the local disk, in the storage's scratch folder.

Photos: JPEG, PNG, WebP (no HEIC: pillow-heif is not installed here). Audio keeps its sound and
loses its tags (app.fieldwork.audio), with the type its bytes show: m4a/AAC, MP3, Ogg/Opus, WebM, WAV.
"""

import hashlib
import logging
import secrets
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import Invalid
from app.i18n import N_
from app.storage import MediaStorage, StorageDown, get_storage

log = logging.getLogger("mystery_patient")

PIXEL_LIMIT = 40_000_000  # 40 MP: more than any phone camera, far less than a decompression bomb
LONG_SIDE = 2048
THUMB_SIDE = 320
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
AUDIO_TYPES = {"wav": "audio/wav", "ogg": "audio/ogg", "webm": "audio/webm", "m4a": "audio/mp4",
               "mp3": "audio/mpeg", "aac": "audio/aac"}
MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash", b"3gp4", b"3gp5")


class NotAllowedFile(Invalid):
    message = N_("This file is not a photo (JPEG, PNG, WebP) or a recording (m4a, mp3, ogg, webm, wav).")


class PictureTooLarge(Invalid):
    message = N_("The picture has too many pixels (at most {limit} megapixels).")


class UnreadablePicture(Invalid):
    message = N_("The picture could not be read; it may be damaged.")


@dataclass(frozen=True)
class Sniffed:
    kind: str  # photo | audio
    content_type: str
    extension: str


@dataclass(frozen=True)
class StoredPhoto:
    name: str
    thumb_name: str
    width: int
    height: int
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredFile:
    name: str
    size_bytes: int
    sha256: str


def sniff(head: bytes) -> Sniffed:
    """The file's kind and type from its first bytes; the name and the sender's header are ignored.
    Raises NotAllowedFile."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("photo", "image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("photo", "image/png", "png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("photo", "image/webp", "webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", "wav")
    if head.startswith(b"OggS"):
        return Sniffed("audio", "audio/ogg", "ogg")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return Sniffed("audio", "audio/webm", "webm")
    if head[4:8] == b"ftyp" and head[8:12] in MP4_AUDIO_BRANDS:
        return Sniffed("audio", "audio/mp4", "m4a")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return Sniffed("audio", "audio/mpeg", "mp3")  # MPEG audio layer III frame sync
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return Sniffed("audio", "audio/aac", "aac")  # ADTS
    raise NotAllowedFile()


def scratch_dir() -> Path:
    """Where uploads are spooled and re-encoded before they go to the storage."""
    path = get_storage().scratch
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def keep_file(source: Path, *, extension: str, content_type: str) -> StoredFile:
    """Store a local file under a new random name; its size and SHA-256 are read first.
    Raises StorageDown (nothing stored)."""
    name = new_name(extension)
    stored = StoredFile(name, source.stat().st_size, _sha256(source))
    get_storage().put(name, source, content_type=content_type)
    return stored


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def store_photo(source: Path) -> StoredPhoto:
    """Re-encode a photo: orientation applied, every bit of metadata (EXIF, GPS, ICC, XMP) dropped,
    RGB JPEG at most LONG_SIDE px on the long side, and a THUMB_SIDE thumbnail.

    Raises PictureTooLarge (more than PIXEL_LIMIT pixels, checked from the header before decoding)
    or UnreadablePicture."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(source) as opened:
                if opened.format not in PHOTO_TYPES:
                    raise NotAllowedFile()
                width, height = opened.size
                if width * height > PIXEL_LIMIT:
                    raise PictureTooLarge(limit=PIXEL_LIMIT // 1_000_000)
                opened.seek(0)  # the first frame of an animation
                opened.load()
                upright = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as bomb:
            raise PictureTooLarge(limit=PIXEL_LIMIT // 1_000_000) from bomb
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as broken:
            raise UnreadablePicture() from broken
    clean = _pixels_only(upright)
    clean.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    with tempfile.TemporaryDirectory(dir=scratch_dir(), prefix="photo-") as work:
        photo_file, thumb_file = Path(work) / "photo.jpg", Path(work) / "thumb.jpg"
        clean.save(photo_file, "JPEG", quality=85, optimize=True)
        thumb.save(thumb_file, "JPEG", quality=80, optimize=True)
        photo = keep_file(photo_file, extension="jpg", content_type="image/jpeg")
        try:
            thumb_stored = keep_file(thumb_file, extension="jpg", content_type="image/jpeg")
        except StorageDown:
            remove_files(photo.name)
            raise
    return StoredPhoto(photo.name, thumb_stored.name, clean.width, clean.height, photo.size_bytes, photo.sha256)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A fresh RGB image holding only the pixels: nothing of the original's info travels along."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    rgb = image.convert("RGB")
    fresh = Image.new("RGB", rgb.size)
    fresh.paste(rgb)
    return fresh


def remove_files(*names: str | None, storage: MediaStorage | None = None) -> None:
    """Delete files nobody refers to any more. A store that is down keeps them (an orphan costs
    only space; a failed request would cost the user's change)."""
    storage = storage or get_storage()
    for name in names:
        if name:
            try:
                storage.delete(name)
            except StorageDown:
                log.warning("media storage down: %s left in %s", name, storage.description)
