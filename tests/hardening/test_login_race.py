"""A parallel burst of wrong passwords for one account: the throttle counts and checks atomically,
so no more passwords are checked than the throttle allows, and the right password is refused
while the account waits. Real commits from many threads on a database of its own."""

import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts import service
from app.accounts.models import LoginAttempt, Role
from app.db import make_engine
from tests.database import fresh_database, migrate
from tests.factories import PASSWORD, make_user

BURST = 40


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _attempt(engine: Engine, email: str, password: str, address: str) -> str:
    with Session(engine, expire_on_commit=False) as session:
        try:
            service.authenticate(session, email=email, password=password, address=address)
        except service.WrongCredentials:
            session.commit()  # as the login route: the failure is kept
            return "checked"
        except service.TooManyAttempts:
            session.rollback()
            return "throttled"
        session.commit()
        return "in"


def test_a_burst_of_wrong_passwords_gets_only_the_allowed_number_checked(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        email = make_user(setup, Role.qa_lead).email
        setup.commit()
    barrier = threading.Barrier(BURST, timeout=30)
    outcomes: list[str] = []

    def one(n: int) -> None:
        barrier.wait()
        outcomes.append(_attempt(own_engine, email, f"wrong {n}", f"10.0.{n}.1"))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    right = _attempt(own_engine, email, PASSWORD, "10.9.9.9")

    with Session(own_engine) as check:
        times = list(check.exec(select(LoginAttempt.at).order_by(col(LoginAttempt.at))).all())
    assert len(outcomes) == BURST
    assert outcomes.count("checked") == len(times)
    # The throttle's rule, whatever the machine's speed: the first SLOW_AFTER_ACCOUNT failures
    # are free; each later one waited the doubling delay after the one before.
    assert len(times) >= service.SLOW_AFTER_ACCOUNT
    for n in range(service.SLOW_AFTER_ACCOUNT, len(times)):
        assert times[n] - times[n - 1] >= timedelta(seconds=2 ** (n - service.SLOW_AFTER_ACCOUNT)), n
    assert len(times) <= service.SLOW_AFTER_ACCOUNT + 3  # the burst lasts seconds, not minutes
    assert right == "throttled"
