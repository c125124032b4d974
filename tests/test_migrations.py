"""Migrations and models must describe the same schema, on SQLite and on PostgreSQL."""

import os
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
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
