"""Backup while the data is there, restore into a fresh place: the same rows, reports and media."""

import json
import os
from pathlib import Path

import pytest

from app.operations.backup import DestinationTaken, backup
from app.operations.restore import BadBackup, NotEmpty, restore
from app.storage.local import LocalStorage
from tests.database import fresh_database
from tests.operations.installs import looks


@pytest.mark.parametrize("name", ["snapshot", "snapshot.tar.gz"])
def test_a_backup_restored_into_a_fresh_database_gives_the_same_rows_reports_and_media(
        seeded: str, original: dict, media_dir: Path, tmp_path: Path, name: str) -> None:
    backup(tmp_path / name, url=seeded, media=LocalStorage(media_dir))
    restored_media = tmp_path / "restored-media"

    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as fresh:
        restore(tmp_path / name, url=fresh, media=LocalStorage(restored_media))
        restored = looks(fresh, restored_media)

    assert restored["counts"] == original["counts"]
    assert restored["counts"]["answers"] > 1000 and restored["counts"]["evidence"] > 0
    assert restored["reports"] == original["reports"]
    assert restored["media"] == original["media"] and None not in restored["media"].values()


def test_the_manifest_records_version_revision_kind_counts_and_file_digests(
        seeded: str, original: dict, media_dir: Path, tmp_path: Path) -> None:
    manifest = backup(tmp_path / "b", url=seeded, media=LocalStorage(media_dir))

    written = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert written == manifest
    assert written["database"]["kind"] == ("postgresql" if seeded.startswith("postgresql") else "sqlite")
    assert written["database"]["alembic_revision"] == "0001" or written["database"]["alembic_revision"]
    assert written["database"]["counts"] == original["counts"]
    assert written["media"]["files"] == original["media"] and written["media"]["missing"] == []
    assert written["app_version"]


def test_backup_refuses_a_destination_that_already_holds_files(seeded: str, media_dir: Path,
                                                                tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "something.txt").write_text("mine")

    with pytest.raises(DestinationTaken):
        backup(tmp_path / "taken", url=seeded, media=LocalStorage(media_dir))

    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["something.txt"]


def test_restore_refuses_a_database_that_holds_data_unless_forced(seeded_sqlite: str, media_dir: Path,
                                                                   tmp_path: Path) -> None:
    backup(tmp_path / "b", url=seeded_sqlite, media=LocalStorage(media_dir))
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    restore(tmp_path / "b", url=target, media=LocalStorage(tmp_path / "m1"))

    with pytest.raises(NotEmpty) as refused:
        restore(tmp_path / "b", url=target, media=LocalStorage(tmp_path / "m2"))
    assert "The database is not empty" in refused.value.text()
    (tmp_path / "m1" / "stale.jpg").write_bytes(b"not from the backup")
    manifest = restore(tmp_path / "b", url=target, media=LocalStorage(tmp_path / "m1"), force=True)

    assert looks(target, tmp_path / "m1")["counts"] == manifest["database"]["counts"]
    assert not (tmp_path / "m1" / "stale.jpg").exists()


def test_restore_refuses_non_empty_media_folder_without_force(seeded_sqlite: str, media_dir: Path,
                                                              tmp_path: Path) -> None:
    backup(tmp_path / "b", url=seeded_sqlite, media=LocalStorage(media_dir))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "someone.jpg").write_bytes(b"x")

    with pytest.raises(NotEmpty) as refused:
        restore(tmp_path / "b", url=f"sqlite:///{tmp_path / 'new.db'}", media=LocalStorage(tmp_path / "m"))

    assert "media folder" in refused.value.text()
    assert not (tmp_path / "new.db").exists()


def test_a_damaged_manifest_is_a_clear_error_and_nothing_is_restored(seeded_sqlite: str, media_dir: Path,
                                                                     tmp_path: Path) -> None:
    backup(tmp_path / "b", url=seeded_sqlite, media=LocalStorage(media_dir))
    manifest = tmp_path / "b" / "manifest.json"
    manifest.write_text(manifest.read_text()[:200])

    with pytest.raises(BadBackup) as error:
        restore(tmp_path / "b", url=f"sqlite:///{tmp_path / 'new.db'}", media=LocalStorage(tmp_path / "m"))

    assert "manifest.json is damaged" in error.value.text() and "\n" not in error.value.text()
    assert not (tmp_path / "new.db").exists()


def test_a_media_file_altered_after_the_backup_is_refused(seeded_sqlite: str, media_dir: Path,
                                                          tmp_path: Path) -> None:
    backup(tmp_path / "b", url=seeded_sqlite, media=LocalStorage(media_dir))
    victim = next((tmp_path / "b" / "media").iterdir())
    victim.write_bytes(victim.read_bytes() + b"tampered")

    with pytest.raises(BadBackup) as error:
        restore(tmp_path / "b", url=f"sqlite:///{tmp_path / 'new.db'}", media=LocalStorage(tmp_path / "m"))

    assert f"media file {victim.name} is missing or does not match" in error.value.text()

def test_a_missing_database_file_is_refused(seeded_sqlite: str, media_dir: Path, tmp_path: Path) -> None:
    backup(tmp_path / "b", url=seeded_sqlite, media=LocalStorage(media_dir))
    (tmp_path / "b" / "database.sqlite3").unlink()

    with pytest.raises(BadBackup) as error:
        restore(tmp_path / "b", url=f"sqlite:///{tmp_path / 'new.db'}", media=LocalStorage(tmp_path / "m"))

    assert "database.sqlite3 is missing" in error.value.text()
