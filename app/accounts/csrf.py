"""CSRF tokens: an HMAC of the login session (or, before login, of a random browser cookie).

Checked once, in the authentication dependency, for every state-changing request made with a cookie.
Bearer-token API calls carry no ambient credentials and need none.
"""

import hashlib
import hmac
import secrets

from fastapi import Request

from app.settings import get_settings

ANON_COOKIE = "mp_browser"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _binding(request: Request) -> str:
    session_token = getattr(request.state, "session_token", None)
    if session_token:
        return "s:" + session_token
    anon = request.cookies.get(ANON_COOKIE) or getattr(request.state, "anon_token", None)
    if not anon:
        anon = secrets.token_urlsafe(24)
        request.state.anon_token = anon  # the middleware sets it as a cookie on the response
    return "a:" + anon


def token_for(request: Request) -> str:
    key = get_settings().signing_key().encode()
    return hmac.new(key, _binding(request).encode(), hashlib.sha256).hexdigest()


def is_valid(request: Request, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(token_for(request), submitted or "")


async def submitted_token(request: Request) -> str | None:
    """The token a state-changing request carries: the htmx header, or the form field."""
    if request.method in SAFE_METHODS:
        return None
    if header := request.headers.get(HEADER):
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FORM_FIELD)
        return value if isinstance(value, str) else None
    return None
