from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role, User
from app.fieldwork.models import Audit
from app.i18n import set_language
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
