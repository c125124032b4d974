"""Every runtime dependency in pyproject.toml names the oldest release it works with (`>=`):
`make deps-lowest` installs exactly those releases and runs tests there (docs/dependencies.md)."""

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
LOWER_BOUND = re.compile(r">=\s*\d")


def test_every_runtime_dependency_has_a_lower_bound() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]

    unbounded = [spec for spec in dependencies if not LOWER_BOUND.search(spec.split(";", 1)[0])]

    assert dependencies and unbounded == []
