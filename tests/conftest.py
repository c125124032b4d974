"""Test set-up: a fresh database per run, migrated by Alembic; every test inside a transaction
that is rolled back, so tests never see each other's rows.

Environment first: the app's settings are read from MP_* variables the first time they are needed.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="mp-tests-"))
os.environ.update({
    "MP_VAR_DIR": str(_RUN_DIR / "var"),
    "MP_MEDIA_DIR": str(_RUN_DIR / "media"),
    "MP_SECRET_KEY": "test-secret-key-not-for-production-0123456789",
})
os.environ.pop("MP_DATABASE_URL", None)

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import get_session, make_engine  # noqa: E402
from tests.database import fresh_database, migrate  # noqa: E402

if TYPE_CHECKING:
    from tests.seaweedfs import SeaweedFS


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), _RUN_DIR) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction, rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The real app over HTTP, sharing the test's transaction."""
    from app.main import app

    def test_session() -> Iterator[Session]:
        session.commit()  # what the test arranged is committed before the request, as in real life
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = test_session
    # Tests read the English source strings; a test of the Russian interface sets its own header.
    with TestClient(app, base_url="http://testserver", follow_redirects=False,
                    headers={"Accept-Language": "en"}) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture(autouse=True)
def english_outside_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Domain code called by a test, directly or from its threads, speaks English, the language tests
    assert; the product's default (Russian) is left to requests that ask for it."""
    from app import i18n

    monkeypatch.setattr(i18n, "DEFAULT_LANGUAGE", "en")
    i18n.set_language("en")


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator["SeaweedFS"]:
    """A real S3 server (SeaweedFS on 127.0.0.1) for the whole run, started on first use."""
    from tests.seaweedfs import SeaweedFS

    with SeaweedFS(_RUN_DIR / "seaweedfs") as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def media_storage(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs the test once with the local media folder and once with S3 (a fresh prefix on SeaweedFS)."""
    if request.param == "s3":
        from app.settings import get_settings

        server = request.getfixturevalue("seaweedfs")
        for name, value in server.settings(prefix=f"test-{uuid.uuid4().hex[:12]}").items():
            monkeypatch.setattr(get_settings(), name.removeprefix("MP_").lower(), value)
    return str(request.param)
