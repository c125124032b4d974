"""`media copy --to URL`: every evidence file of this install into another storage (a local folder
to S3, usually), each one verified by SHA-256 after it landed.

A file is read once from the source into the scratch folder while its digest is computed, stored in
the target, then read back from the target and compared. Files the target already holds with the same
digest are left alone, so an interrupted copy simply runs again. Afterwards every file the database
refers to must be in the target, and where the database recorded a digest (the evidence itself, not
its thumbnail) the file must have it: anything else is reported and the command fails. Then point
MP_MEDIA_URL at the target: the install serves every old photo from there (docs/scaling.md).
"""

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.db import make_engine
from app.errors import Invalid
from app.i18n import N_
from app.models import metadata
from app.storage import MediaStorage, MissingFile

# (file name, files done, files in all): called after every file
Progress = Callable[[str, int, int], None]


class SameStorage(Invalid):
    message = N_("The source and the target are the same storage ({where}).")


@dataclass
class MediaCopy:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # the target's copy differs from the source
    missing: list[str] = field(default_factory=list)  # the database refers to it; the source lacks it
    damaged: list[str] = field(default_factory=list)  # the source's bytes differ from the database's digest

    @property
    def ok(self) -> bool:
        return not (self.mismatched or self.missing or self.damaged)


def recorded_digests(url: str) -> dict[str, str | None]:
    """Every file name the database refers to, with the SHA-256 it recorded (None for thumbnails)."""
    evidence = metadata.tables["evidence"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(evidence.c.stored_name, evidence.c.thumb_name, evidence.c.sha256)).all()
    finally:
        engine.dispose()
    digests: dict[str, str | None] = {}
    for stored, thumb, sha in rows:
        digests[stored] = sha
        if thumb:
            digests.setdefault(thumb, None)
    return digests


def copy_media(source: MediaStorage, target: MediaStorage, *, database_url: str,
               progress: Progress | None = None) -> MediaCopy:
    """Copy and verify every file of `source` into `target`. Raises SameStorage, StorageDown."""
    if source.description == target.description:
        raise SameStorage(where=source.description)
    recorded = recorded_digests(database_url)
    names = sorted(set(source.names()))
    present = set(target.names())
    result = MediaCopy(missing=sorted(set(recorded) - set(names)))
    target.scratch.mkdir(parents=True, exist_ok=True)
    for done, name in enumerate(names, start=1):
        with tempfile.TemporaryDirectory(dir=target.scratch, prefix="copy-") as work:
            local = Path(work) / name
            digest = hashlib.sha256()
            with local.open("wb") as out:
                for chunk in source.open(name):
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            if recorded.get(name) not in (None, sha):
                result.damaged.append(name)
            if name in present and _target_digest(target, name) == sha:
                result.already_there.append(name)
            else:
                target.put(name, local, content_type=_content_type(name))
                (result.copied if _target_digest(target, name) == sha else result.mismatched).append(name)
        if progress:
            progress(name, done, len(names))
    return result


def _target_digest(target: MediaStorage, name: str) -> str | None:
    digest = hashlib.sha256()
    try:
        for chunk in target.open(name):
            digest.update(chunk)
    except MissingFile:
        return None
    return digest.hexdigest()


def _content_type(name: str) -> str:
    from app.fieldwork.media_routes import EXTENSIONS

    by_extension = {extension: content_type for content_type, extension in EXTENSIONS.items()}
    return by_extension.get(name.rsplit(".", 1)[-1], "application/octet-stream")
