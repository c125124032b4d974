"""`media copy --to s3://…`: a local install moved to S3 (a real SeaweedFS server) serves every old
photo and thumbnail, byte for byte; a second run copies nothing; a damaged source file fails the
command; backup and restore work from and into S3 as well; `db copy --media-to` carries the media."""

import hashlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.accounts.models import User
from app.accounts.tokens import create_token
from app.cli.main import app as cli
from app.db import get_session, make_engine
from app.fieldwork.models import Evidence
from app.main import app
from app.operations.backup import backup
from app.operations.restore import restore
from app.settings import get_settings
from app.storage import storage_at
from app.storage.base import read_all
from tests.database import fresh_database
from tests.seaweedfs import BUCKET, SeaweedFS


@pytest.fixture
def s3_keys(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> Iterator[SeaweedFS]:
    for name, value in seaweedfs.settings().items():
        if name != "MP_MEDIA_URL":
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield seaweedfs
    get_settings.cache_clear()


def _install(monkeypatch: pytest.MonkeyPatch, url: str, media_dir: Path, media_url: str = "") -> None:
    monkeypatch.setenv("MP_DATABASE_URL", url)
    monkeypatch.setenv("MP_MEDIA_DIR", str(media_dir))
    monkeypatch.setenv("MP_MEDIA_URL", media_url)
    get_settings.cache_clear()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _served_digests(url: str) -> dict[str, str]:
    """Every evidence file and thumbnail as the app serves it to the admin: {name: sha256}."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        admin = session.exec(select(User).where(User.email == "admin@demo.test")).one()
        _row, token = create_token(session, user=admin, name="moved")
        session.commit()
        rows = session.exec(select(Evidence)).all()

    def own_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    app.dependency_overrides[get_session] = own_session
    served: dict[str, str] = {}
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            for row in rows:
                for name, path in ((row.stored_name, f"/media/{row.id}"), (row.thumb_name, f"/media/{row.id}/thumb")):
                    if name:
                        response = client.get(path)
                        assert response.status_code == 200, (path, response.status_code)
                        served[name] = _sha(response.content)
    finally:
        app.dependency_overrides.clear()
        engine.dispose()
    return served


def test_a_local_install_moved_to_s3_serves_every_old_photo(seeded_sqlite: str, media_dir: Path, tmp_path: Path,
                                                            s3_keys: SeaweedFS,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = f"s3://{BUCKET}/moved-{uuid.uuid4().hex[:8]}"
    _install(monkeypatch, seeded_sqlite, media_dir)
    before = _served_digests(seeded_sqlite)
    runner = CliRunner()

    first = runner.invoke(cli, ["media", "copy", "--to", target])
    again = runner.invoke(cli, ["media", "copy", "--to", target])
    _install(monkeypatch, seeded_sqlite, tmp_path / "empty-local-folder", media_url=target)
    after = _served_digests(seeded_sqlite)

    assert first.exit_code == 0, first.output
    assert "verified by SHA-256" in first.output and " 0 already there" in first.output
    assert again.exit_code == 0 and " 0 files copied" in again.output, again.output
    assert len(before) > 10 and after == before  # every old photo and thumbnail, byte for byte, now from S3
    assert not (tmp_path / "empty-local-folder").exists() or not any((tmp_path / "empty-local-folder").iterdir())


def test_a_source_file_that_no_longer_matches_its_recorded_digest_fails_the_copy(
        seeded_sqlite: str, media_dir: Path, tmp_path: Path, s3_keys: SeaweedFS,
        monkeypatch: pytest.MonkeyPatch) -> None:
    damaged_dir = tmp_path / "media"
    shutil.copytree(media_dir, damaged_dir, ignore=shutil.ignore_patterns("tmp"))
    engine = make_engine(seeded_sqlite)
    with Session(engine) as session:
        victim = session.exec(select(Evidence.stored_name)).first()
    engine.dispose()
    assert victim
    (damaged_dir / victim).write_bytes(b"\xff\xd8\xff bit rot")
    _install(monkeypatch, seeded_sqlite, damaged_dir)

    result = CliRunner().invoke(cli, ["media", "copy", "--to", f"s3://{BUCKET}/damaged-{uuid.uuid4().hex[:8]}"])

    assert result.exit_code == 1
    assert "differ from the digest the database recorded" in result.output and victim in result.output


def test_media_copy_to_a_bucket_with_wrong_keys_is_one_clear_error(seeded_sqlite: str, media_dir: Path,
                                                                   s3_keys: SeaweedFS,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MP_S3_SECRET_ACCESS_KEY", "wrong-secret")
    _install(monkeypatch, seeded_sqlite, media_dir)

    result = CliRunner().invoke(cli, ["media", "copy", "--to", f"s3://{BUCKET}/refused"])

    assert result.exit_code == 1 and "error:" in result.output and "Traceback" not in result.output


def test_backup_of_an_s3_install_restores_into_another_bucket_prefix(seeded_sqlite: str, media_dir: Path,
                                                                     tmp_path: Path, s3_keys: SeaweedFS,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    source_url = f"s3://{BUCKET}/backup-src-{uuid.uuid4().hex[:8]}"
    _install(monkeypatch, seeded_sqlite, media_dir)
    assert CliRunner().invoke(cli, ["media", "copy", "--to", source_url]).exit_code == 0
    source = storage_at(source_url)
    target = storage_at(f"s3://{BUCKET}/restored-{uuid.uuid4().hex[:8]}")

    manifest = backup(tmp_path / "b.tar.gz", url=seeded_sqlite, media=source)
    with fresh_database(None, tmp_path) as fresh:
        restore(tmp_path / "b.tar.gz", url=fresh, media=target)

    files = manifest["media"]["files"]
    assert files and manifest["media"]["missing"] == []
    assert {name: _sha(read_all(target, name)) for name in files} == files
    assert set(target.names()) == set(files)


def test_db_copy_with_media_to_carries_the_media(seeded_sqlite: str, media_dir: Path, tmp_path: Path,
                                                 s3_keys: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> None:
    target = f"s3://{BUCKET}/db-copy-{uuid.uuid4().hex[:8]}"
    _install(monkeypatch, seeded_sqlite, media_dir)

    result = CliRunner().invoke(cli, ["db", "copy", "--to", f"sqlite:///{tmp_path / 'moved.db'}", "--media-to", target])

    assert result.exit_code == 0, result.output
    _install(monkeypatch, f"sqlite:///{tmp_path / 'moved.db'}", tmp_path / "none", media_url=target)
    assert _served_digests(f"sqlite:///{tmp_path / 'moved.db'}") == _served_digests_local(seeded_sqlite, media_dir)


def _served_digests_local(url: str, media_dir: Path) -> dict[str, str]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(Evidence.stored_name, Evidence.thumb_name)).all()
    engine.dispose()
    return {name: _sha((media_dir / name).read_bytes()) for row in rows for name in row if name}
