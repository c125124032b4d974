"""A fresh database for each test run: a SQLite file in a temporary folder, or a new PostgreSQL
database created next to the one TEST_DATABASE_URL names and dropped at the end."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.migrations import alembic_config


@contextmanager
def fresh_database(base_url: str | None, workdir: Path) -> Iterator[str]:
    """Yields the URL of an empty database that nothing else uses; removes it afterwards."""
    if not base_url:
        yield f"sqlite:///{workdir / 'test.db'}"
        return
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"mp_test_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
