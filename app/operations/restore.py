"""`restore PATH`: bring a backup back into the configured database and media storage (folder or S3).

Everything is checked before anything changes: the manifest must be readable and of a known
format, the database file and every media file must have the SHA-256 the manifest records, and the
schema revision must be one this version of the app knows. The target database and media folder
must be empty unless forced (then they are replaced). After the restore the row counts must match
the manifest, and the database is migrated to the app's head revision.

SQLite backups restore into SQLite (online backup API) or PostgreSQL (row copy); PostgreSQL
backups restore into PostgreSQL (pg_restore).
"""

import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from app.db import make_engine
from app.errors import Conflict, Invalid
from app.i18n import N_
from app.migrations import alembic_config, upgrade_to_head
from app.operations import postgres
from app.operations.backup import FORMAT, MANIFEST, MEDIA_FOLDER, is_archive
from app.operations.copy import copy_database
from app.operations.inventory import database_kind, sha256_of, sqlite_file, table_counts
from app.storage import MediaStorage
from app.storage.local import LocalStorage


class BadBackup(Invalid):
    message = N_("{path} is not a usable backup: {reason}")


class RestoredCountsDiffer(Invalid):
    message = N_("The restored database does not match the manifest ({tables}).")


class NotEmpty(Conflict):
    message = N_("{what} is not empty ({holding}); use --force to replace it.")


def read_backup(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, after checking every file against it. Raises BadBackup."""
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise BadBackup(path=folder, reason="manifest.json is missing")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        database, media = manifest["database"], manifest["media"]
        kind, name, digest = database["kind"], database["file"], database["sha256"]
        counts = {str(table): int(rows) for table, rows in database["counts"].items()}
        files = {str(file): str(sha) for file, sha in media["files"].items()}
        revision = database["alembic_revision"]
    except (ValueError, KeyError, TypeError, AttributeError) as broken:
        raise BadBackup(path=folder, reason=f"manifest.json is damaged ({type(broken).__name__}: {broken})") from broken
    if manifest.get("format") != FORMAT:
        raise BadBackup(path=folder, reason=f"unknown manifest format {manifest.get('format')!r}")
    if kind not in ("sqlite", "postgresql") or Path(name).name != name:
        raise BadBackup(path=folder, reason=f"unknown database {kind!r} / {name!r}")
    if not (folder / name).is_file() or sha256_of(folder / name) != digest:
        raise BadBackup(path=folder, reason=f"{name} is missing or does not match its SHA-256")
    for file, sha in files.items():
        path = folder / MEDIA_FOLDER / file
        if Path(file).name != file or not path.is_file() or sha256_of(path) != sha:
            raise BadBackup(path=folder, reason=f"media file {file} is missing or does not match its SHA-256")
    if revision is not None and ScriptDirectory.from_config(alembic_config()).get_revision(revision) is None:
        raise BadBackup(path=folder, reason=f"schema revision {revision} is newer than this version of the app")
    database["counts"], media["files"] = counts, files
    return manifest


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The backup folder: the folder itself, or a .tar.gz unpacked into a temporary folder."""
    if not path.exists():
        raise BadBackup(path=path, reason="it does not exist")
    if not is_archive(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="mp-restore-") as work:
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as broken:
            raise BadBackup(path=path, reason=f"the archive cannot be read ({broken})") from broken
        inside = [p for p in Path(work).iterdir() if p.is_dir()]
        if len(inside) != 1:
            raise BadBackup(path=path, reason="the archive should hold exactly one folder")
        yield inside[0]


def restore(path: Path, *, url: str, media: MediaStorage, force: bool = False) -> dict[str, Any]:
    """Restore the backup at `path` into the database at `url` and the storage `media`; returns the manifest.

    Raises BadBackup (nothing touched), NotEmpty (without force; nothing touched), Invalid (a
    PostgreSQL backup into SQLite), ToolMissing/ToolFailed (pg_restore), RestoredCountsDiffer.
    """
    target_kind = database_kind(url)
    with opened(path) as folder:
        manifest = read_backup(folder)
        database = manifest["database"]
        if database["kind"] == "postgresql" and target_kind == "sqlite":
            raise Invalid(N_("A PostgreSQL backup restores into PostgreSQL only: set MP_DATABASE_URL to a "
                             "PostgreSQL database (then `db copy` can move it elsewhere)."))
        if not force:
            _ensure_empty(url, media)
        dump = folder / database["file"]
        if database["kind"] == "postgresql":
            _pg_restore(dump, url)
        elif target_kind == "sqlite":
            _sqlite_restore(dump, url)
        else:
            copy_database(f"sqlite:///{dump}", url, force=True)
        _check_counts(url, database["counts"])
        _restore_media(folder / MEDIA_FOLDER, manifest["media"]["files"], media)
    upgrade_to_head(url)
    return manifest


def _ensure_empty(url: str, media: MediaStorage) -> None:
    holding: dict[str, int] = {}
    if database_kind(url) == "postgresql" or sqlite_file(url).exists():
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                holding = {name: rows for name, rows in table_counts(connection).items() if rows}
        finally:
            engine.dispose()
    if holding:
        raise NotEmpty(what="The database", holding=", ".join(f"{n}: {r}" for n, r in holding.items()))
    present = list(media.names())
    if present:
        kind = "folder" if isinstance(media, LocalStorage) else "storage"
        raise NotEmpty(what=f"The media {kind} {media.description}", holding=f"{len(present)} files")


def _sqlite_restore(dump: Path, url: str) -> None:
    target_file = sqlite_file(url)
    target_file.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(target_file, timeout=30)
    try:
        source.backup(target)  # replaces every page of the target, WAL and all, under its write lock
    finally:
        target.close()
        source.close()


def _pg_restore(dump: Path, url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tool = postgres.find_tool("pg_restore", postgres.server_major(connection))
    finally:
        engine.dispose()
    arguments, env = postgres.libpq_args(url)
    postgres.run_tool([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                       "--exit-on-error", *arguments, str(dump)], env)


def _check_counts(url: str, expected: dict[str, int]) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = table_counts(connection)
    finally:
        engine.dispose()
    wrong = [name for name, rows in expected.items() if found.get(name) != rows]
    if wrong:
        raise RestoredCountsDiffer(tables=", ".join(f"{n}: {expected[n]} → {found.get(n)}" for n in wrong))


def _restore_media(source: Path, files: dict[str, str], media: MediaStorage) -> None:
    for stale in list(media.names()):
        media.delete(stale)
    media.scratch.mkdir(parents=True, exist_ok=True)
    for name in files:
        # A copy goes in: storing may move its source, and the backup must stay whole.
        with tempfile.TemporaryDirectory(dir=media.scratch, prefix="restore-") as work:
            shutil.copyfile(source / name, Path(work) / name)
            media.put(name, Path(work) / name, content_type=_content_type(name))


def _content_type(name: str) -> str:
    from app.operations.media_copy import _content_type as by_extension

    return by_extension(name)
