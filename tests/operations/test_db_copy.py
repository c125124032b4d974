"""`db copy`: a SQLite install moved to PostgreSQL keeps every row and report, and keeps working."""

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.clinics.models import Region
from app.db import make_engine
from app.errors import Invalid
from app.operations.copy import TargetNotEmpty, copy_database
from tests.database import fresh_database
from tests.operations.installs import looks, postgres_base


@pytest.fixture
def postgres(tmp_path: Path):
    base = postgres_base()
    if base is None:
        pytest.skip("no PostgreSQL: set TEST_DATABASE_URL (or run a server on 127.0.0.1:5432) for db copy")
    with fresh_database(base, tmp_path) as url:
        yield url


def test_copying_sqlite_to_postgresql_keeps_rows_reports_and_new_ids_work(
        seeded_sqlite: str, media_dir: Path, postgres: str) -> None:
    before = looks(seeded_sqlite, media_dir)

    copied = copy_database(seeded_sqlite, postgres, batch=100)

    after = looks(postgres, media_dir)
    assert after["counts"] == before["counts"]
    assert all(row.source_rows == row.target_rows for row in copied)
    assert after["reports"] == before["reports"]
    engine = make_engine(postgres)
    with Session(engine) as session:
        highest = session.exec(select(func.max(Region.id))).one()
        region = Region(name="Новый регион после переезда")
        session.add(region)
        session.commit()
        assert region.id == (highest or 0) + 1
    engine.dispose()


def test_copying_into_a_database_that_holds_rows_is_refused_unless_forced(
        seeded_sqlite: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    copy_database(seeded_sqlite, target)

    with pytest.raises(TargetNotEmpty) as refused:
        copy_database(seeded_sqlite, target)
    assert "--force" in refused.value.text()
    again = copy_database(seeded_sqlite, target, force=True)

    assert all(row.source_rows == row.target_rows for row in again)


def test_copying_a_database_onto_itself_is_refused(seeded_sqlite: str) -> None:
    with pytest.raises(Invalid) as refused:
        copy_database(seeded_sqlite, seeded_sqlite, force=True)

    assert "same database" in refused.value.text()
