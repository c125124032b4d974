"""`backup PATH`: a consistent snapshot of the database and the media it refers to, while the app runs.

SQLite: the online backup API copies the database page by page under a read lock, so writers only
wait. PostgreSQL: `pg_dump --format=custom` on a snapshot exported from a repeatable-read
transaction; the counts and the list of media files are read in that same transaction. Media files
are copied after the database, from whichever storage holds them (local folder or S3), and only
those the snapshot refers to (an upload cut short leaves no orphan in the backup). manifest.json
records the app version, the schema revision, the database kind, rows per table and the SHA-256 of
every file.

PATH is a new (or empty) folder, or a file ending in .tar.gz holding the same folder.
"""

import json
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from app.errors import Invalid
from app.i18n import N_
from app.operations import postgres
from app.operations.inventory import (
    alembic_revision,
    database_kind,
    media_names,
    sha256_of,
    sqlite_file,
    table_counts,
)
from app.storage import MediaStorage, MissingFile

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_FOLDER = "media"


class DestinationTaken(Invalid):
    message = N_("{path} already exists and is not an empty folder: choose a new place for the backup.")


@dataclass(frozen=True)
class Snapshot:
    revision: str | None
    counts: dict[str, int]
    media: list[str]


def app_version() -> str:
    try:
        return version("mystery-patient")
    except PackageNotFoundError:
        return "unknown"


def is_archive(path: Path) -> bool:
    return path.name.endswith(".tar.gz")


def backup(path: Path, *, url: str, media: MediaStorage) -> dict[str, Any]:
    """Write a backup of the database at `url` and of the files it refers to in `media` to `path`;
    returns the manifest.

    Raises DestinationTaken, Invalid (unsupported or missing database), ToolMissing/ToolTooOld/
    ToolFailed (pg_dump), StorageDown (the media storage cannot be read).
    """
    kind = database_kind(url)
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        raise DestinationTaken(path=path)
    if is_archive(path):
        with tempfile.TemporaryDirectory(prefix="mp-backup-") as work:
            folder = Path(work) / path.name.removesuffix(".tar.gz")
            manifest = _write_folder(folder, kind=kind, url=url, media=media)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(folder, arcname=folder.name)
            partial.replace(path)
        return manifest
    return _write_folder(path, kind=kind, url=url, media=media)


def _write_folder(folder: Path, *, kind: str, url: str, media: MediaStorage) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    database_file = folder / (SQLITE_FILE if kind == "sqlite" else PG_FILE)
    snapshot = _sqlite_snapshot(url, database_file) if kind == "sqlite" else _postgres_snapshot(url, database_file)
    files, missing = _copy_media(snapshot.media, media, folder / MEDIA_FOLDER)
    manifest = {
        "format": FORMAT,
        "app": "mystery-patient",
        "app_version": app_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"kind": kind, "file": database_file.name, "sha256": sha256_of(database_file),
                     "alembic_revision": snapshot.revision, "counts": snapshot.counts},
        "media": {"files": files, "missing": missing},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _sqlite_snapshot(url: str, destination: Path) -> Snapshot:
    source_file = sqlite_file(url)
    if not source_file.is_file():
        raise Invalid(N_("There is no database at {path}."), path=source_file)
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target, pages=1024)
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{destination}")
    try:
        with engine.connect() as connection:
            return Snapshot(alembic_revision(connection), table_counts(connection), media_names(connection))
    finally:
        engine.dispose()


def _postgres_snapshot(url: str, destination: Path) -> Snapshot:
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            pg_dump = postgres.find_tool("pg_dump", postgres.server_major(connection))
            exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            snapshot = Snapshot(alembic_revision(connection), table_counts(connection), media_names(connection))
            arguments, env = postgres.libpq_args(url)
            postgres.run_tool([pg_dump, "--format=custom", f"--snapshot={exported}", "--no-owner",
                               "--no-privileges", f"--file={destination}", *arguments], env)
            connection.rollback()
        return snapshot
    finally:
        engine.dispose()


def _copy_media(names: list[str], media: MediaStorage, destination: Path) -> tuple[dict[str, str], list[str]]:
    """Copy the named files; returns {name: sha256} and the names that were not there."""
    destination.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        try:
            chunks = media.open(name)
        except MissingFile:
            missing.append(name)
            continue
        with (destination / name).open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        files[name] = sha256_of(destination / name)
    return files, missing
