"""Old login attempts and expired sessions are pruned (a periodic job, app/accounts/tasks.py)."""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.accounts.models import LoginAttempt, Role, UserSession
from app.accounts.service import prune_login_attempts
from app.accounts.sessions import prune_sessions
from app.db_types import utcnow
from app.settings import get_settings
from tests.factories import make_user


def _session_row(session: Session, user_id: int, name: str, **times: object) -> UserSession:
    row = UserSession(token_hash=name.ljust(64, "0"), user_id=user_id, csrf_token="x", **times)
    session.add(row)
    return row


def test_sessions_that_can_no_longer_sign_in_are_deleted_and_live_ones_kept(session: Session) -> None:
    user = make_user(session, Role.director)
    now, settings = utcnow(), get_settings()
    live = _session_row(session, user.id or 0, "live", created_at=now - timedelta(hours=1), last_seen_at=now)
    _session_row(session, user.id or 0, "revoked", revoked_at=now - timedelta(minutes=1))
    _session_row(session, user.id or 0, "idle",
                 last_seen_at=now - timedelta(minutes=settings.session_idle_minutes + 1))
    _session_row(session, user.id or 0, "old", last_seen_at=now,
                 created_at=now - timedelta(hours=settings.session_absolute_hours + 1))
    session.flush()

    deleted = prune_sessions(session, now=now)

    left = session.exec(select(UserSession.token_hash).where(UserSession.user_id == user.id)).all()
    assert deleted == 3
    assert left == [live.token_hash]


def test_login_attempts_older_than_a_day_are_deleted_and_recent_ones_kept(session: Session) -> None:
    now = utcnow()
    session.add_all([LoginAttempt(email="old@example.test", address="10.0.0.1", at=now - timedelta(days=2)),
                     LoginAttempt(email="recent@example.test", address="10.0.0.1", at=now - timedelta(minutes=5))])
    session.flush()

    deleted = prune_login_attempts(session, now=now)

    emails = session.exec(select(LoginAttempt.email).where(
        col(LoginAttempt.email).in_(["old@example.test", "recent@example.test"]))).all()
    assert deleted >= 1
    assert emails == ["recent@example.test"]


def test_pruning_twice_deletes_nothing_the_second_time(session: Session) -> None:
    session.add(LoginAttempt(email="twice@example.test", address="10.0.0.2", at=utcnow() - timedelta(days=3)))
    session.flush()
    prune_login_attempts(session, now=utcnow())

    assert prune_login_attempts(session, now=utcnow()) == 0
