"""Per-request plumbing: the reader's language, the pre-login CSRF cookie, security headers, and
Secure cookies whenever the request came over HTTPS (directly, or through a proxy whose
X-Forwarded-Proto uvicorn trusts: --proxy-headers --forwarded-allow-ips, docs/scaling.md)."""

from fastapi import Request, Response
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def _secure_cookies(raw_headers: list[tuple[bytes, bytes]]) -> None:
    """Mark every cookie Secure: an HTTPS reader's cookies must never travel over plain HTTP."""
    raw_headers[:] = [
        (key, value + b"; Secure") if key == b"set-cookie" and b"secure" not in value.lower() else (key, value)
        for key, value in raw_headers]


class NulCharacter(Invalid):
    message = N_("The request contains a NUL character, which no field may hold.")


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


class RequestPlumbing:
    """A plain ASGI middleware (no task and memory stream per request, as BaseHTTPMiddleware adds):
    it wraps `send` to add the headers and cookies to the response as it starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        # The user's own choice overrides this later, once the user is known (accounts.deps).
        language = request.cookies.get(LANGUAGE_COOKIE) or i18n.negotiate(request.headers.get("accept-language"))
        i18n.set_language(language or i18n.DEFAULT_LANGUAGE)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _finish_headers(request, message)
            await send(message)

        try:
            body = await _nul_checked_body(request)
            await self.app(scope, receive if body is None else _replay(body, receive), send_with_headers)
        except Exception as crash:
            if started:  # too late for an error page
                raise
            # Starlette answers crashes outside every middleware, so its 500 page would miss the headers
            # below: the app's own handlers (app.errors) are called here instead.
            crash = _unstorable(crash) or crash
            # The most specific handler: a busy pool or database is a 503, not a crash.
            handlers = request.app.exception_handlers
            handler = next((handlers[kind] for kind in type(crash).__mro__ if kind in handlers), None)
            if handler is None:
                raise
            await handler(request, crash)(scope, receive, send_with_headers)


async def _nul_checked_body(request: Request) -> bytes | None:
    """Refuse a NUL in the path, the query or a URL-encoded form: no name, text or number has one,
    and PostgreSQL cannot store it. (A multipart upload may hold NULs in its files; its text fields
    are caught when stored, see _unstorable.) Returns the body when it had to be read, else None."""
    if b"%00" in request.scope.get("raw_path", b"") or b"%00" in request.scope.get("query_string", b""):
        raise NulCharacter()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        if b"%00" in body or b"\x00" in body:
            raise NulCharacter()
        return body
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app's receive: the body already read, then the client's own messages (a disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _finish_headers(request: Request, message: Message) -> None:
    headers = MutableHeaders(scope=message)
    anon = getattr(request.state, "anon_token", None)
    if anon and not request.cookies.get(csrf.ANON_COOKIE):
        cookie = Response()
        cookie.set_cookie(csrf.ANON_COOKIE, anon, httponly=True, samesite="lax",
                          secure=get_settings().cookie_secure)
        for key, value in cookie.raw_headers:
            if key == b"set-cookie":
                headers.append("set-cookie", value.decode("latin-1"))
    https = request.url.scheme == "https"
    if https:
        _secure_cookies(headers.raw)
    headers.setdefault("Content-Security-Policy", _csp())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if get_settings().cookie_secure or https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
