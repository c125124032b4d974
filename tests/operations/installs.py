"""Whole installs for the operations tests: a demo network committed for real (backup, restore and
copy work on databases, not on the rolled-back `session`), and what an install looks like from
outside: rows per table, every report, every media file's digest."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.accounts.models import User
from app.clinics.models import Clinic
from app.db import make_engine
from app.demo.seed import seed_demo
from app.fieldwork.models import Wave
from app.operations.inventory import media_names, sha256_of, table_counts
from app.reports.clinic_report import build_clinic_report
from app.reports.network_report import build_network_report
from tests.database import fresh_database, migrate

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_base() -> str | None:
    """TEST_DATABASE_URL, else the local server if it answers, else None."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    engine = create_engine(LOCAL_POSTGRES, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return LOCAL_POSTGRES
    except OperationalError:
        return None
    finally:
        engine.dispose()


@contextmanager
def seeded_database(base_url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh database at head holding the demo network, committed."""
    with fresh_database(base_url, workdir) as url:
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            seed_demo(session)
            session.commit()
        engine.dispose()
        yield url


def looks(url: str, media_dir: Path) -> dict[str, Any]:
    """Rows per table, the network report of every wave, every clinic's report, and the digest of
    every media file the database refers to."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            counts = table_counts(connection)
            names = media_names(connection)
        with Session(engine) as session:
            admin = session.exec(select(User).where(User.email == "admin@demo.test")).one()
            waves = session.exec(select(Wave.name).order_by(Wave.name)).all()
            clinic_ids = session.exec(select(Clinic.id).order_by(Clinic.id)).all()
            reports = {
                "network": [build_network_report(session, user=admin, wave=w, checklist="aesthetic-clinic")
                            for w in waves],
                "clinics": [build_clinic_report(session, user=admin, clinic_id=c or 0) for c in clinic_ids],
            }
    finally:
        engine.dispose()
    media = {name: sha256_of(media_dir / name) if (media_dir / name).is_file() else None for name in names}
    return {"counts": counts, "reports": rounded(reports), "media": media}


def rounded(value: Any) -> Any:
    """Floats to 9 decimals: SQLite and PostgreSQL may sum the same numbers in a different last bit."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value
