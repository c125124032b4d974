"""What a database and a media folder hold: the schema revision, rows per table, file digests.

Shared by backup (written into the manifest), restore and copy (compared after the move).
"""

import hashlib
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from app.errors import Invalid
from app.i18n import N_
from app.models import metadata


def database_kind(url: str) -> str:
    """"sqlite" or "postgresql". Raises Invalid for anything else."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise Invalid(N_("Unsupported database {url}: use sqlite:/// or postgresql+psycopg://."), url=url)
    return backend


def sqlite_file(url: str) -> Path:
    """The file behind a sqlite:/// URL. Raises Invalid for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise Invalid(N_("An in-memory SQLite database cannot be backed up or restored."))
    return Path(database)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows in every application table, in dependency order (tables not created yet count 0)."""
    present = set(inspect(connection).get_table_names())
    return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            if table.name in present else 0 for table in metadata.sorted_tables}


def alembic_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def media_names(connection: Connection) -> list[str]:
    """Every media file the database refers to (evidence and thumbnails), sorted."""
    evidence = metadata.tables["evidence"]
    if "evidence" not in inspect(connection).get_table_names():
        return []
    rows = connection.execute(select(evidence.c.stored_name, evidence.c.thumb_name)).all()
    return sorted({name for row in rows for name in row if name})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
