"""`mystery-patient checklists validate|import|export`: output format, exit codes, no tracebacks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.checklists.yaml_docs import VALID, replace_line
from tests.database import migrate

BUNDLED = Path(__file__).resolve().parents[2] / "checklists"
runner = CliRunner()


def test_validate_prints_nothing_and_exits_0_on_the_bundled_files() -> None:
    result = runner.invoke(app, ["checklists", "validate", str(BUNDLED)])

    assert (result.exit_code, result.stdout) == (0, "")


def test_validate_prints_every_problem_as_file_line_key_message_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        replace_line(19, "        wieght: 2", text=replace_line(4, "target: 120")), encoding="utf-8"
    )
    good = tmp_path / "good.yaml"
    good.write_text(VALID.replace("test-clinic", "good-clinic"), encoding="utf-8")

    result = runner.invoke(app, ["checklists", "validate", str(good), str(bad)])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}:4: target: target must be between 0 and 100, got 120",
        f"{bad}:19: call.greeting: unknown field 'wieght', did you mean 'weight'?",
    ]


def test_validate_on_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["checklists", "validate", str(tmp_path / "nope.yaml")])

    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: There is no file or folder {tmp_path / 'nope.yaml'}."


@pytest.fixture
def cli(tmp_path: Path):  # noqa: ANN201
    """Runs the real command in a subprocess against its own migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(url)
    env = {**os.environ, "MP_DATABASE_URL": url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli.main", "checklists", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )

    return run


def test_import_prints_created_then_unchanged(cli) -> None:  # noqa: ANN001
    first = cli("import", str(BUNDLED))
    second = cli("import", str(BUNDLED / "dental-clinic.yaml"))

    assert (first.returncode, first.stdout.splitlines()) == (
        0,
        [
            "aesthetic-clinic v1 created",
            "dental-clinic v1 created",
            "scenario aesthetic-acne-rosacea created",
            "scenario dental-toothache-implant-fear created",
        ],
    )
    assert (second.returncode, second.stdout) == (0, "dental-clinic v1 unchanged\n")


def test_import_of_a_bad_file_prints_its_problems_imports_nothing_and_exits_1(cli, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.yaml"
    bad.write_text(replace_line(19, "        weight: 0"), encoding="utf-8")

    result = cli("import", str(BUNDLED / "dental-clinic.yaml"), str(bad))

    assert result.returncode == 1
    assert result.stdout == f"{bad}:19: call.greeting: weight must be greater than 0, got 0\n"
    assert "Traceback" not in result.stderr
    assert cli("export", "dental-clinic").returncode == 1  # nothing was imported


def test_export_writes_yaml_that_reimports_unchanged(cli, tmp_path: Path) -> None:  # noqa: ANN001
    cli("import", str(BUNDLED / "aesthetic-clinic.yaml"))

    exported = cli("export", "aesthetic-clinic", "--version", "1")
    path = tmp_path / "aesthetic-clinic.yaml"
    path.write_text(exported.stdout, encoding="utf-8")
    again = cli("import", str(path))

    assert exported.returncode == 0 and "Визит в клинику эстетической медицины" in exported.stdout
    assert again.stdout == "aesthetic-clinic v1 unchanged\n"


def test_export_of_an_unknown_checklist_is_one_line_without_a_traceback(cli) -> None:  # noqa: ANN001
    result = cli("export", "nope")

    assert result.returncode == 1
    assert result.stderr == "error: There is no checklist nope.\n"
