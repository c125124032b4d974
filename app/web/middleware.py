"""Per-request plumbing: the reader's language, the pre-login CSRF cookie, security headers, and
Secure cookies whenever the request came over HTTPS (directly, or through a proxy whose
X-Forwarded-Proto uvicorn trusts: --proxy-headers --forwarded-allow-ips, docs/scaling.md)."""

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from sqlalchemy.exc import DBAPIError

from app import i18n
from app.accounts import csrf
from app.errors import DomainError, Invalid, NotFound
from app.i18n import N_
from app.settings import get_settings

LANGUAGE_COOKIE = "mp_lang"

# No inline script anywhere: htmx and our own JS are files served by the app.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'self'; form-action 'self'; "
       "base-uri 'self'; object-src 'none'")


def _csp() -> str:
    """The policy; with presigned media links, images and recordings may also come from the store."""
    public = get_settings().s3_public_url.rstrip("/")
    if not public or not get_settings().media_url.startswith("s3://"):
        return CSP
    return CSP.replace("img-src 'self'", f"img-src 'self' {public}").replace("media-src 'self'",
                                                                          f"media-src 'self' {public}")


def _secure_cookies(response: Response) -> None:
    """Mark every cookie Secure: an HTTPS reader's cookies must never travel over plain HTTP."""
    response.raw_headers[:] = [
        (key, value + b"; Secure") if key == b"set-cookie" and b"secure" not in value.lower() else (key, value)
        for key, value in response.raw_headers]


class NulCharacter(Invalid):
    message = N_("The request contains a NUL character, which no field may hold.")


async def _nul_in_request(request: Request) -> bool:
    """A NUL in the path, the query or a URL-encoded form: no name, text or number has one, and
    PostgreSQL cannot store it. (A multipart upload may hold NULs in its files; its text fields are
    caught when stored, see _unstorable.)"""
    if b"%00" in request.scope.get("raw_path", b"") or b"%00" in request.scope.get("query_string", b""):
        return True
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        return b"%00" in body or b"\x00" in body
    return False


def _unstorable(crash: Exception) -> DomainError | None:
    """A value the database cannot hold is the sender's mistake, not a crash. An id beyond the
    database's integers names nothing (404): SQLite refuses to bind it (OverflowError), PostgreSQL
    answers numeric_value_out_of_range (22003). Text with NUL characters, which PostgreSQL cannot
    store, is invalid (422)."""
    if isinstance(crash, OverflowError) and "INTEGER" in str(crash):
        return NotFound()
    if isinstance(crash, DBAPIError):
        if getattr(crash.orig, "sqlstate", None) == "22003":
            return NotFound()
        if "NUL" in str(crash.orig):
            return NulCharacter()
        if getattr(crash.orig, "sqlstate", None) == "22001":  # longer than its column
            return Invalid(N_("A value is longer than this field can hold."))
    if isinstance(crash, ValueError) and "NUL" in str(crash):  # refused by the driver before sending
        return NulCharacter()
    return None


async def request_plumbing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    # The user's own choice overrides this later, once the user is known (accounts.deps).
    language = request.cookies.get(LANGUAGE_COOKIE) or i18n.negotiate(request.headers.get("accept-language"))
    i18n.set_language(language or i18n.DEFAULT_LANGUAGE)
    try:
        if await _nul_in_request(request):
            raise NulCharacter()
        response = await call_next(request)
    except Exception as crash:
        # Starlette answers crashes outside every middleware, so its 500 page would miss the headers
        # below: the app's own handlers (app.errors) are called here instead.
        crash = _unstorable(crash) or crash
        # The most specific handler: a busy pool or database is a 503, not a crash.
        handlers = request.app.exception_handlers
        handler = next((handlers[kind] for kind in type(crash).__mro__ if kind in handlers), None)
        if handler is None:
            raise
        response = handler(request, crash)
    anon = getattr(request.state, "anon_token", None)
    if anon and not request.cookies.get(csrf.ANON_COOKIE):
        response.set_cookie(csrf.ANON_COOKIE, anon, httponly=True, samesite="lax",
                            secure=get_settings().cookie_secure)
    https = request.url.scheme == "https"
    if https:
        _secure_cookies(response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _csp())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if get_settings().cookie_secure or https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
