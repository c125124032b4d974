"""Personal API tokens: shown once, stored as SHA-256, revocable, with a last-used time."""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from app.accounts.models import ApiToken, User
from app.db_types import utcnow
from app.errors import NotFound

PREFIX = "mp_"


_TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the plain text is returned this once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id or 0, name=name[:120], prefix=plain[:10], token_hash=_digest(plain))
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(plain))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # At most once a minute, like a login session: otherwise every API read would be a write, and on
    # SQLite each one would take the write lock (app/db.py).
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        token.last_used_at = now
        session.add(token)
    return user


def revoke_token(session: Session, *, token: ApiToken) -> None:
    token.revoked_at = utcnow()
    session.add(token)


def tokens_of(session: Session, *, user: User) -> list[ApiToken]:
    """The user's live tokens, newest first."""
    query = (select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
             .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc()))
    return list(session.exec(query).all())


def own_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; someone else's is NotFound, never revealed."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    return token
