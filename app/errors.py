"""Domain errors and the one place that turns any error into JSON, an htmx partial or a page.

Domain code raises `DomainError` subclasses; only this module knows HTTP. Messages are marked with
`N_` and translated into the reader's language here. Logs stay English and never reach the client.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from app.i18n import N_, gettext

log = logging.getLogger("mystery_patient")


class DomainError(Exception):
    status_code = 400
    message = N_("The request could not be completed.")
    retry_after: int | None = None  # seconds, sent as Retry-After (a 503 that will pass)

    def __init__(self, message: str | None = None, *, detail: Any = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        self.detail = detail
        super().__init__(self.message)

    def text(self) -> str:
        translated = gettext(self.message)
        return translated.format(**self.params) if self.params else translated


class NotFound(DomainError):
    status_code = 404
    message = N_("Not found.")


class Forbidden(DomainError):
    status_code = 403
    message = N_("You do not have access to this page.")


class NotAuthenticated(DomainError):
    status_code = 401
    message = N_("Please log in.")


class CsrfFailed(DomainError):
    status_code = 403
    message = N_("The form has expired or did not come from this site. Reload the page and try again.")


class Conflict(DomainError):
    status_code = 409
    message = N_("This was changed by someone else in the meantime.")


class Unavailable(DomainError):
    """A part the request needs (database, media storage, queue) is down: nothing was kept, send it again."""
    status_code = 503
    message = N_("Part of the service is down for a moment and this was not saved; please send it again.")
    retry_after = 5


class Invalid(DomainError):
    status_code = 422
    message = N_("Some of the data is not valid.")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(request: Request, status: int, message: str, detail: Any = None) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail if detail is not None else message}, status_code=status)
    from app.web.templating import render  # late: templating imports the accounts layer

    return render(request, "errors/error.html", fragment="errors/_error.html", status_code=status,
                  status=status, message=message, detail=detail)


RETRY_AFTER_SECONDS = 1
# Contention, not a fault: SQLite's write lock outwaited busy_timeout; PostgreSQL's serialization
# failure, deadlock victim or lock timeout. The request changed nothing and may simply be sent again.
BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
BUSY_SQLSTATES = ("40001", "40P01", "55P03")


def database_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return (any(message in text for message in BUSY_MESSAGES)
            or getattr(exc.orig, "sqlstate", None) in BUSY_SQLSTATES)


def _routes(routes: list[Any]) -> Any:
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router
            yield from _routes(route.effective_candidates())
            yield from _routes(route.effective_low_priority_routes())
        else:
            yield route


def _allowed_methods(request: Request) -> set[str]:
    """The methods the app serves at this path, whichever route serves each."""
    allowed: set[str] = set()
    for route in _routes(request.app.routes):
        match, _ = route.matches({**request.scope, "method": "GET"}) if hasattr(route, "matches") else (None, None)
        methods = getattr(route, "methods", None)
        if match is not None and match != Match.NONE and methods:
            allowed |= set(methods)
    return allowed


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def on_domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, NotAuthenticated) and not wants_json(request):
            if request.headers.get("HX-Request") == "true":
                return Response(status_code=401, headers={"HX-Redirect": "/login"})
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        response = _problem(request, exc.status_code, exc.text(), exc.detail)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    def on_invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"loc": list(error.get("loc", ())), "message": error.get("msg", "")} for error in exc.errors()
        ]
        return _problem(request, 422, gettext("Some of the data is not valid."), problems)

    @app.exception_handler(StarletteHTTPException)
    def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: N_("Not found."), 405: N_("This action is not allowed here."),
                    413: N_("The upload is too large.")}
        message = gettext(messages.get(exc.status_code, str(exc.detail)))
        response = _problem(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's (RFC 9110)
            response.headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
        return response

    @app.exception_handler(OperationalError)
    def on_database_error(request: Request, exc: OperationalError) -> Response:
        if not database_busy(exc):
            return on_crash(request, exc)
        log.warning("database busy on %s %s (%s): answered 503, retry after %ss", request.method,
                    request.url.path, exc.orig, RETRY_AFTER_SECONDS)
        response = _problem(request, 503, gettext("The server is busy for a moment and did not save "
                                                  "this; please send it again."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(PoolTimeout)
    def on_pool_exhausted(request: Request, exc: PoolTimeout) -> Response:
        # Every database connection of this process is in use: busy, not broken; nothing was changed.
        log.warning("no database connection free for %s %s: answered 503, retry after %ss", request.method,
                    request.url.path, RETRY_AFTER_SECONDS)
        response = _problem(request, 503, gettext("The server is busy for a moment and did not save "
                                                  "this; please send it again."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(ClientDisconnect)
    def on_client_gone(request: Request, _exc: ClientDisconnect) -> Response:
        # The phone lost its connection mid-upload: nothing was stored, it will send again. Not an error.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return Response(status_code=499)  # as nginx logs it: client closed request

    @app.exception_handler(Exception)
    def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _problem(request, 500, gettext("Something went wrong on our side. Nothing you sent was lost; "
                                              "please try again."))
