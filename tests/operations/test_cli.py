"""The commands: one clear line and exit 1 on errors, a summary on success."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.settings import get_settings


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, seeded_sqlite: str, media_dir: Path) -> Iterator[None]:
    monkeypatch.setenv("MP_DATABASE_URL", seeded_sqlite)
    monkeypatch.setenv("MP_MEDIA_DIR", str(media_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_backup_then_db_copy_from_the_command_line(configured: None, tmp_path: Path) -> None:
    runner = CliRunner()

    made = runner.invoke(app, ["backup", str(tmp_path / "b.tar.gz")])
    copied = runner.invoke(app, ["db", "copy", "--to", f"sqlite:///{tmp_path / 'moved.db'}"])

    assert made.exit_code == 0, made.output
    assert "backup written" in made.output and (tmp_path / "b.tar.gz").is_file()
    assert copied.exit_code == 0, copied.output
    assert "answers" in copied.output and "ok" in copied.output


def test_restoring_into_the_live_database_says_so_in_one_line(configured: None, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["backup", str(tmp_path / "b")])

    result = runner.invoke(app, ["restore", str(tmp_path / "b")])

    assert result.exit_code == 1
    assert result.output.strip().startswith("error: The database is not empty")
    assert "Traceback" not in result.output


def test_restoring_something_that_is_not_a_backup_is_one_clear_line(configured: None, tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    result = CliRunner().invoke(app, ["restore", str(tmp_path / "junk")])

    assert result.exit_code == 1
    assert "manifest.json is missing" in result.output and len(result.output.strip().splitlines()) == 1
