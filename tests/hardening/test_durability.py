"""An acknowledged save survives a power cut on SQLite: WAL with synchronous=FULL on every connection."""

from pathlib import Path

from sqlalchemy import text

from app.db import make_engine

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_sqlite_connection_runs_wal_with_synchronous_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'durable.db'}")

    modes = []
    for _ in range(2):  # a second connection is tuned as well, not only the first
        with engine.connect() as connection:
            modes.append((connection.execute(text("PRAGMA journal_mode")).scalar(),
                          connection.execute(text("PRAGMA synchronous")).scalar()))
        engine.dispose()

    assert modes == [("wal", FULL), ("wal", FULL)]
