"""The periodic clean-ups run as real jobs: enqueued, consumed, their rows gone."""

import time
from datetime import timedelta

from sqlmodel import Session, select

from app.accounts.models import LoginAttempt, UserSession
from app.accounts.tasks import prune_accounts_hourly
from app.db_types import utcnow
from app.jobs import queue
from tests.jobs.conftest import Live
from tests.jobs.queues import consuming


def test_expired_sessions_and_old_login_attempts_are_pruned_by_the_worker(live: Live) -> None:
    user_id = live.world.users["director"].id or 0
    with Session(live.engine) as session:
        session.add(UserSession(token_hash="expired".ljust(64, "0"), user_id=user_id, csrf_token="x",
                                revoked_at=utcnow() - timedelta(hours=1)))
        session.add(LoginAttempt(email="old@example.test", address="10.0.0.9", at=utcnow() - timedelta(days=5)))
        session.commit()

    prune_accounts_hourly()  # what the scheduler enqueues every hour
    with consuming(queue.huey):
        deadline = time.monotonic() + 30
        while _left(live) != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.1)

    assert _left(live) == (0, 0)
    with Session(live.engine) as session:  # the director's live login stays
        assert session.exec(select(UserSession).where(UserSession.user_id == user_id)).first() is not None


def _left(live: Live) -> tuple[int, int]:
    with Session(live.engine) as session:
        sessions = session.exec(select(UserSession).where(UserSession.token_hash == "expired".ljust(64, "0"))).all()
        attempts = session.exec(select(LoginAttempt).where(LoginAttempt.email == "old@example.test")).all()
        return len(sessions), len(attempts)
