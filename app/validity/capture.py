"""The one step of the upload pipeline that belongs to validity: read the file's own facts before its
metadata is stripped, keep only what is derived (docs/validity.md, "Facts").

`derive` runs on the spooled upload, before re-encoding; `record` stores the result once the
evidence row exists. Neither ever refuses an upload: a file that tells nothing gives empty facts.
"""

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, ImageStat
from sqlmodel import Session

from app.clinics.models import Clinic
from app.errors import Invalid
from app.fieldwork import media
from app.fieldwork.geo import distance_m
from app.fieldwork.models import Audit, Evidence
from app.validity import metadata
from app.validity.models import EvidenceFacts

HASH_SIDE = 256  # JPEG decodes at about this size for hashing: the hash looks at 32 x 32 anyway
# Below this spread of grey levels a picture is plain (a wall, a covered lens): any two such pictures
# hash alike, so they are not compared at all.
PLAIN_STDDEV = 4.0


@dataclass(frozen=True)
class DerivedFacts:
    taken_at: datetime | None = None
    taken_at_zoned: bool = False
    has_location: bool = False
    distance_m: float | None = None
    phash: str | None = None
    duration_s: float | None = None


def derive(session: Session, *, audit: Audit, path: Path) -> DerivedFacts:
    """Facts of an uploaded file: a photo's capture time, distance to the audit's clinic and
    perceptual hash; a recording's duration. The position itself is not returned."""
    with path.open("rb") as handle:
        head = handle.read(64)
    try:
        kind = media.sniff(head)
    except Invalid:
        return DerivedFacts()  # the pipeline refuses it next, with its own message
    if kind.kind == "audio":
        return DerivedFacts(duration_s=metadata.recording_duration(path))
    return _photo_facts(session.get(Clinic, audit.clinic_id), path)


def _photo_facts(clinic: Clinic | None, path: Path) -> DerivedFacts:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > media.PIXEL_LIMIT:
                    return DerivedFacts()
                taken, position = metadata.photo_metadata(image)
                image.draft("RGB", (HASH_SIDE, HASH_SIDE))
                image.seek(0)
                upright = ImageOps.exif_transpose(image.convert("RGB") if image.mode == "P" else image)
                phash = _phash(upright)
        except Exception:  # noqa: BLE001 - a picture Pillow cannot read is refused by store_photo
            return DerivedFacts()
    distance = None
    if position is not None and clinic is not None and clinic.latitude is not None \
            and clinic.longitude is not None:
        distance = distance_m(position.latitude, position.longitude, clinic.latitude, clinic.longitude)
    return DerivedFacts(taken_at=taken.at if taken else None, taken_at_zoned=bool(taken and taken.zoned),
                        has_location=position is not None, distance_m=distance, phash=phash)


def _phash(image: Image.Image) -> str | None:
    import imagehash  # numpy and scipy come with it: loaded at the first photo, not at every start

    grey = image.convert("L").resize((32, 32))
    if ImageStat.Stat(grey).stddev[0] < PLAIN_STDDEV:
        return None
    return str(imagehash.phash(image.convert("RGB")))


def record(session: Session, *, evidence: Evidence, facts: DerivedFacts) -> EvidenceFacts:
    """Store the derived facts of a newly stored file."""
    row = EvidenceFacts(evidence_id=evidence.id or 0, audit_id=evidence.audit_id, taken_at=facts.taken_at,
                        taken_at_zoned=facts.taken_at_zoned, has_location=facts.has_location,
                        distance_m=facts.distance_m, phash=facts.phash, duration_s=facts.duration_s)
    session.add(row)
    session.flush()
    return row
