import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from app.db import make_engine
from tests.database import fresh_database, migrate


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: the race test commits for real, from many threads."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
