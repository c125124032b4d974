import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.models import Role, User
from app.db import make_engine
from app.fieldwork.models import Audit
from app.i18n import set_language
from tests.database import fresh_database, migrate
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import make_audit
from tests.web import log_in


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield


@pytest.fixture
def shopper(session: Session) -> User:
    return make_user(session, Role.shopper)


@pytest.fixture
def audit(session: Session, shopper: User) -> Audit:
    return make_audit(session, shopper=shopper)


@pytest.fixture
def as_shopper(client: TestClient, shopper: User) -> TestClient:
    client.headers["Accept-Language"] = "en"
    return log_in(client, shopper.email, PASSWORD)


def log_in_as(client: TestClient, session: Session, role: Role, **fields: object) -> User:
    user = make_user(session, role, **fields)
    client.headers["Accept-Language"] = "en"
    log_in(client, user.email, PASSWORD)
    return user


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: this test commits for real, from two threads."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
