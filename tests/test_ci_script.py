"""CI keeps the code linted and typed: `.ci/run` runs `make lint` (ruff + mypy) before the tests."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_ci_runs_lint_before_the_tests_and_stops_on_errors() -> None:
    commands = _commands(ROOT / ".ci" / "run")

    assert "set -euo pipefail" in commands
    assert "make lint" in commands
    assert commands.index("make lint") < commands.index("make test")


def test_make_lint_runs_ruff_and_mypy_over_the_code() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")

    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, flags=re.M)

    assert recipe is not None
    assert "ruff check app tests" in recipe.group(1)
    assert "mypy app" in recipe.group(1)
