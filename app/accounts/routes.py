"""Log in, log out, choose the interface language."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service, sessions
from app.accounts.deps import OptionalUser
from app.db import SessionDep
from app.errors import DomainError
from app.i18n import LANGUAGES, N_, gettext
from app.web.client_address import client_address
from app.web.middleware import LANGUAGE_COOKIE
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: "//evil.example" and "https://..." would leave it.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


# What the login page says after a link from an e-mail was used (?done=...).
NOTICES = {"invitation": N_("Your password is set. Log in with it."),
           "password_reset": N_("Your new password is set and you were logged out everywhere. Log in with it."),
           "email_change": N_("Your e-mail address is changed. Log in with the new one.")}


@router.get("/login", name="login")
def login_page(request: Request, user: OptionalUser, next: str | None = None, done: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice = gettext(NOTICES[done]) if done in NOTICES else ""
    return render(request, "accounts/login.html", next=_safe_next(next), email="", notice=notice)


@router.post("/login", name="login_submit")
def login(request: Request, session: SessionDep, _user: OptionalUser, email: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    address = client_address(request)
    try:
        user = service.authenticate(session, email=email, password=password, address=address)
    except DomainError as error:
        # The failed attempt must be kept although the request fails: commit it here.
        session.commit()
        page = render(request, "accounts/login.html", status_code=error.status_code, next=_safe_next(next),
                      email=email, error=error.text())
        if isinstance(error, service.TooManyAttempts):
            page.headers["Retry-After"] = str(error.retry_after)
        return page
    old = sessions.token_from(request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if old:
        sessions.end_session(session, token=old, response=response)
    sessions.start_session(session, user=user, response=response,
                           user_agent=request.headers.get("user-agent", ""))
    if user.language in LANGUAGES:  # so pages outside any route (a 404) speak it too
        response.set_cookie(LANGUAGE_COOKIE, user.language, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, _user: OptionalUser) -> Response:
    response = RedirectResponse("/login", status_code=303)
    if token := sessions.token_from(request):
        sessions.end_session(session, token=token, response=response)
    return response


@router.post("/language", name="set_language")
def set_language(request: Request, session: SessionDep, user: OptionalUser,
                 language: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
        if user is not None:
            user.language = language
            session.add(user)
    return response
