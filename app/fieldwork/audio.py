"""Recordings lose their metadata before they are stored (issue 12): phones write the place, the
device model and the owner's name into ID3 frames, MP4 atoms, RIFF INFO chunks and Ogg comments, and
the clinic must not learn who the mystery patient was from a file QA forwards.

Per format (sniffed by app.fieldwork.media), on the local scratch copy, before it goes to storage:
- MP3 and AAC (ADTS): every ID3v1/ID3v2 and APEv2 tag removed (mutagen).
- Ogg (Opus, Vorbis, FLAC, Speex): the comment header emptied (mutagen); the encoder's vendor string
  stays, as the format requires one.
- M4A: the iTunes-style tags removed (mutagen), then every remaining `udta` and `meta` box (Apple's
  ©xyz location, the device make and model) overwritten in place by a zero-filled `free` box of the
  same size, so the chunk offsets into the audio stay right.
- WAV: rewritten with only the chunks that carry sound (fmt, fact, data); LIST/INFO, id3, bext,
  iXML and anything else go.
- WebM: kept as sent. No maintained Python library rewrites Matroska, and what a browser's
  MediaRecorder writes there is only the muxer's name ("Chrome"), never a place or a device; refusing
  it would refuse every recording made in Chrome on Android.
A file that these libraries cannot read back after cleaning is refused: what cannot be read cannot be
shown to be clean, and the phone keeps the shopper's original (the outbox's "Save the file").
"""

import struct
from pathlib import Path
from typing import BinaryIO

from mutagen import File as MutagenFile
from mutagen import MutagenError, apev2, id3
from mutagen.aac import AAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.wave import WAVE

from app.errors import Invalid
from app.i18n import N_

WAV_SOUND_CHUNKS = (b"fmt ", b"fact", b"data")
MP4_CONTAINERS = (b"moov", b"trak", b"mdia", b"minf", b"stbl")
MP4_METADATA = (b"udta", b"meta")


class UnreadableRecording(Invalid):
    message = N_("The recording could not be read; it may be damaged.")


def strip_tags(path: Path, extension: str) -> str:
    """Remove the recording's metadata in place; the extension the cleaned file really has (an MP3
    name for ADTS audio behind an ID3 tag becomes "aac"). Raises UnreadableRecording."""
    try:
        if extension in ("mp3", "aac"):
            id3.delete(path)
            apev2.delete(path)
            extension = "aac" if _is_adts(path) else "mp3"
            (AAC if extension == "aac" else MP3)(path)  # still audio, not a tag around nothing
        elif extension == "ogg":
            _clean_ogg(path)
        elif extension == "m4a":
            _clean_mp4(path)
        elif extension == "wav":
            _clean_wav(path)
    except (MutagenError, OSError, ValueError, struct.error) as broken:
        raise UnreadableRecording() from broken
    return extension


def _is_adts(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(2)
    return len(head) == 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _clean_ogg(path: Path) -> None:
    audio = MutagenFile(path)
    if audio is None:
        raise ValueError("not an Ogg stream mutagen reads")
    audio.delete()
    again = MutagenFile(path)
    if again is None or (again.tags and len(again.tags.keys())):
        raise ValueError("comments survived")


def _clean_mp4(path: Path) -> None:
    MP4(path).delete()
    with path.open("r+b") as handle:
        _blank_boxes(handle, 0, path.stat().st_size)
    if MP4(path).tags:
        raise ValueError("tags survived")


def _blank_boxes(file: BinaryIO, start: int, end: int) -> None:
    """Overwrite udta/meta boxes between start and end with zero-filled `free` boxes of the same size,
    descending into the containers that hold tracks."""
    offset = start
    while offset + 8 <= end:
        file.seek(offset)
        size, kind = struct.unpack(">I4s", file.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", file.read(8))[0], 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise ValueError("a box runs past its parent")
        if kind in MP4_METADATA:
            file.seek(offset)
            file.write(struct.pack(">I4s", size, b"free") if header == 8
                       else struct.pack(">I4sQ", 1, b"free", size))
            _zero(file, size - header)
        elif kind in MP4_CONTAINERS:
            _blank_boxes(file, offset + header, offset + size)
        offset += size


def _zero(file: BinaryIO, count: int) -> None:
    while count > 0:
        step = min(count, 1 << 16)
        file.write(b"\x00" * step)
        count -= step


def _clean_wav(path: Path) -> None:
    data = path.read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not RIFF/WAVE")
    kept = []
    offset = 12
    while offset + 8 <= len(data):
        kind, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        body = data[offset + 8:offset + 8 + size]
        if kind in WAV_SOUND_CHUNKS:
            kept.append(kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b""))
        offset += 8 + size + (size % 2)  # chunks are padded to an even length
    if not any(chunk[:4] == b"data" for chunk in kept) or not any(chunk[:4] == b"fmt " for chunk in kept):
        raise ValueError("no sound in the file")
    payload = b"WAVE" + b"".join(kept)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(payload)) + payload)
    WAVE(path)
