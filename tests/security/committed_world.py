"""The arranged world committed in a fresh database of its own, and the app's requests served from
it with a session per request that commits at the end, as in production (app.db.get_session): for
the fuzz tests, whose requests must see real commits."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import get_session, make_engine
from app.main import app
from tests.database import fresh_database, migrate
from tests.security.world import World, build_world


@contextmanager
def committed_world(prefix: str) -> Iterator[tuple[World, Engine]]:
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir, \
            fresh_database(os.environ.get("TEST_DATABASE_URL"), Path(workdir)) as url:
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session)
            session.commit()
        yield world, engine
        engine.dispose()


@contextmanager
def served_from(engine: Engine) -> Iterator[None]:
    def request_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.expunge_all()  # as app.db.get_session: the error page reads the user as loaded
                session.rollback()
                raise

    app.dependency_overrides[get_session] = request_session
    try:
        yield
    finally:
        app.dependency_overrides.pop(get_session, None)
