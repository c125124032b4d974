"""Login sessions kept server-side: the cookie holds a signed random token, the database its hash.

Logout, password change and deactivation revoke sessions; idle and absolute timeouts end them.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, delete, select, update

from app.accounts.models import User, UserSession
from app.db_types import utcnow
from app.settings import get_settings

COOKIE = "mp_session"
_TOUCH_EVERY = timedelta(minutes=1)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().signing_key(), salt="session")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user: User, response: Response, user_agent: str = "") -> str:
    """A new session id at every login (never reuse the pre-login one); sets the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_digest(token), user_id=user.id or 0,
                            csrf_token=secrets.token_hex(16), user_agent=user_agent[:300]))
    settings = get_settings()
    response.set_cookie(COOKIE, _serializer().dumps(token), httponly=True, samesite="lax",
                        secure=settings.cookie_secure, max_age=settings.session_absolute_hours * 3600)
    return token


def token_from(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def user_for_token(session: Session, token: str) -> User | None:
    """The active user behind a live session, touching its last-seen time; None once expired."""
    settings = get_settings()
    found = session.exec(select(UserSession, User)  # one query for both, on every page
                         .join(User, col(User.id) == UserSession.user_id, isouter=True)
                         .where(UserSession.token_hash == _digest(token))).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None:
        return None
    now = utcnow()
    idle = now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    too_old = now - row.created_at > timedelta(hours=settings.session_absolute_hours)
    if idle or too_old or user is None or not user.active:
        row.revoked_at = now
        session.add(row)
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return user


def end_session(session: Session, *, token: str, response: Response) -> None:
    session.exec(update(UserSession).where(col(UserSession.token_hash) == _digest(token))  # type: ignore[call-overload]
                 .values(revoked_at=utcnow()))
    response.delete_cookie(COOKIE)


def revoke_all(session: Session, *, user_id: int) -> None:
    """Ends every session of a user: after a password change, a reset or deactivation."""
    session.exec(update(UserSession)  # type: ignore[call-overload]
                 .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
                 .values(revoked_at=utcnow()))


def prune_sessions(session: Session, *, now: datetime) -> int:
    """Delete sessions that can no longer sign anyone in: revoked, idle past the idle timeout or
    older than the absolute one. Returns how many went (a periodic job, app.accounts.tasks)."""
    settings = get_settings()
    result = session.exec(delete(UserSession).where(  # type: ignore[call-overload]
        col(UserSession.revoked_at).is_not(None)
        | (col(UserSession.last_seen_at) < now - timedelta(minutes=settings.session_idle_minutes))
        | (col(UserSession.created_at) < now - timedelta(hours=settings.session_absolute_hours))))
    return int(result.rowcount or 0)
