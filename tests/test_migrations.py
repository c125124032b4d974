"""Migrations and models must describe the same schema, on SQLite and on PostgreSQL."""

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.migrations import alembic_config
from app.models import metadata
from tests.database import fresh_database, migrate


def test_migrating_an_empty_database_to_head_gives_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})

        differences = compare_metadata(context, metadata)

    assert differences == []


def test_every_revision_downgrades_to_empty_and_upgrades_again(tmp_path: Path) -> None:
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        command.downgrade(alembic_config(url), "base")
        engine = make_engine(url)
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        engine.dispose()
        migrate(url)
        engine = make_engine(url)
        restored = set(inspect(engine).get_table_names())
        engine.dispose()

    assert left == set()
    assert set(metadata.tables) <= restored


def _insert_director_with_a_clinic(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO regions (id, name) VALUES (1, 'North')"))
        connection.execute(text("INSERT INTO clinics (id, name, region_id, city, address, is_competitor, active, "
                                "created_at) VALUES (1, 'Central', 1, '', '', false, true, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO users (id, email, name, role, password_hash, active, created_at, password_changed_at)"
            " VALUES (1, 'd@example.test', '', 'director', 'x', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO director_regions (user_id, region_id) VALUES (1, 1)"))
        connection.execute(text("INSERT INTO director_clinics (user_id, clinic_id) VALUES (1, 1)"))
    engine.dispose()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - test's own names
    engine.dispose()
    return int(found)


def test_downgrading_the_zone_and_scope_revisions_keeps_every_directors_scope(tmp_path: Path) -> None:
    """0015 and 0013 drop a column of `users` and `clinics`: in place, not by copying the table, whose
    drop would cascade into director_regions and director_clinics on SQLite."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        _insert_director_with_a_clinic(url)
        command.downgrade(alembic_config(url), "0012")
        kept = (_count(url, "director_regions"), _count(url, "director_clinics"), _count(url, "clinics"))

    assert kept == (1, 1, 1)


def test_downgrading_0015_refuses_while_a_director_sees_nothing(tmp_path: Path) -> None:
    """Under the old rule an unscoped director saw the whole network: the downgrade would widen access."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        _insert_director_with_a_clinic(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM director_regions"))
            connection.execute(text("DELETE FROM director_clinics"))
        engine.dispose()
        with pytest.raises(RuntimeError, match="would see the whole network"):
            command.downgrade(alembic_config(url), "0014")
        still = _count(url, "users")

    assert still == 1
