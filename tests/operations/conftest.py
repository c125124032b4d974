import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import get_settings
from tests.operations.installs import looks, seeded_database


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with seeded_database(None, tmp_path_factory.mktemp("seeded-sqlite")) as url:
        yield url


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, seeded_sqlite: str) -> Iterator[str]:
    """The demo install on the database under test (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield seeded_sqlite
        return
    with seeded_database(os.environ["TEST_DATABASE_URL"], tmp_path_factory.mktemp("seeded")) as url:
        yield url


@pytest.fixture
def media_dir() -> Path:
    """The media folder the app (and so the demo seed) writes to."""
    return get_settings().media_path


@pytest.fixture(scope="module")
def original(seeded: str) -> dict:
    return looks(seeded, get_settings().media_path)
