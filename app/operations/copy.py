"""`db copy`: every row of one database into another (SQLite to PostgreSQL, or any to any).

The target is migrated to head first and must hold no rows (unless forced: then its rows go).
Tables are copied in dependency order, in batches, inside one target transaction: a failure leaves
the target as it was. PostgreSQL sequences are moved past the copied ids, and the row counts of
both sides are compared before the commit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, Engine

from app.db import make_engine
from app.errors import Conflict, Invalid
from app.i18n import N_
from app.migrations import upgrade_to_head
from app.models import metadata
from app.operations.inventory import alembic_revision, database_kind, sqlite_file, table_counts

BATCH = 1000

# (table name, rows copied so far, rows in the table): called after every batch
Progress = Callable[[str, int, int], None]


class TargetNotEmpty(Conflict):
    message = N_("The target database already holds data ({tables}); use --force to replace it.")


class SchemaMismatch(Invalid):
    message = N_("The source database is at schema revision {source} but the target is at {target}: "
                 "run `mystery-patient migrate` on the source first.")


class CountMismatch(Invalid):
    message = N_("The copy does not match the source ({tables}); nothing was kept.")


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int


def reading_engine(url: str) -> Engine:
    """An engine for reading a consistent snapshot: SQLite without the write lock the app takes,
    PostgreSQL in a repeatable-read transaction."""
    if database_kind(url) == "sqlite":
        return create_engine(url)
    return create_engine(url, isolation_level="REPEATABLE READ")


def copy_database(source_url: str, target_url: str, *, force: bool = False, batch: int = BATCH,
                  progress: Progress | None = None) -> list[TableCopy]:
    """Copy every application table from source to target; returns the counts of both sides.

    Raises Invalid (same database, unsupported URL), SchemaMismatch, TargetNotEmpty (without force),
    CountMismatch (then nothing is committed).
    """
    database_kind(source_url)
    if database_kind(target_url) == "sqlite":
        sqlite_file(target_url).parent.mkdir(parents=True, exist_ok=True)
    if source_url == target_url:
        raise Invalid(N_("The source and the target are the same database."))
    if not force:  # before migrating: a database holding data is left exactly as it was
        probe = make_engine(target_url)
        try:
            with probe.connect() as connection:
                _clear_target(connection, force=False)
        finally:
            probe.dispose()
    upgrade_to_head(target_url)
    source, target = reading_engine(source_url), make_engine(target_url)
    try:
        with source.connect() as reader, target.begin() as writer:
            revisions = alembic_revision(reader), alembic_revision(writer)
            if revisions[0] != revisions[1]:
                raise SchemaMismatch(source=revisions[0] or "none", target=revisions[1] or "none")
            expected = table_counts(reader)
            _clear_target(writer, force=force)
            for table in metadata.sorted_tables:
                _copy_table(reader, writer, table.name, expected[table.name], batch, progress)
            if writer.dialect.name == "postgresql":
                fix_sequences(writer)
            copied = table_counts(writer)
            wrong = [name for name in expected if expected[name] != copied[name]]
            if wrong:
                raise CountMismatch(tables=", ".join(f"{n}: {expected[n]} → {copied[n]}" for n in wrong))
    finally:
        source.dispose()
        target.dispose()
    return [TableCopy(name, expected[name], copied[name]) for name in expected]


def _clear_target(writer: Connection, *, force: bool) -> None:
    holding = {name: rows for name, rows in table_counts(writer).items() if rows}
    if holding and not force:
        raise TargetNotEmpty(tables=", ".join(f"{name}: {rows}" for name, rows in holding.items()))
    for table in reversed(metadata.sorted_tables):
        if holding.get(table.name):
            writer.execute(table.delete())


def _copy_table(reader: Connection, writer: Connection, name: str, total: int, batch: int,
                progress: Progress | None) -> None:
    table = metadata.tables[name]
    query = select(table).order_by(*table.primary_key.columns)
    done = 0
    result = reader.execution_options(yield_per=batch).execute(query)
    for rows in result.partitions(batch):
        writer.execute(table.insert(), [row._asdict() for row in rows])
        done += len(rows)
        if progress:
            progress(name, done, total)
    if progress and total == 0:
        progress(name, 0, 0)


def fix_sequences(writer: Connection) -> None:
    """Move every serial id sequence past the largest id, so the next insert gets a fresh id."""
    for table in metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].name != "id":
            continue
        sequence = writer.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                  {"table": table.name}).scalar()
        if sequence:
            writer.execute(text(f'SELECT setval(:sequence, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) '
                                f'FROM "{table.name}"'), {"sequence": sequence})
