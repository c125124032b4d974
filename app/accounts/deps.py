"""Authentication and role checks as dependencies: the only place routes get their user from."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from app.accounts import csrf, sessions, tokens
from app.accounts.models import Role, User
from app.db import SessionDep
from app.errors import CsrfFailed, Forbidden, NotAuthenticated
from app.i18n import N_, prefer_language


def _resolve(request: Request, session: SessionDep) -> tuple[User | None, str | None]:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return tokens.user_for_token(session, authorization[7:].strip()), "token"
    token = sessions.token_from(request)
    if token is None:
        return None, None
    user = sessions.user_for_token(session, token)
    if user is not None:
        request.state.session_token = token
    return user, "cookie"


def optional_user(request: Request, session: SessionDep,
                  submitted: Annotated[str | None, Depends(csrf.submitted_token)]) -> User | None:
    """The logged-in user or None. A cookie-authenticated state change must carry the CSRF token."""
    user, via = _resolve(request, session)
    if via == "token" and user is None:
        raise NotAuthenticated(N_("The API token is invalid or was revoked."))
    if request.method not in csrf.SAFE_METHODS and via != "token" and not csrf.is_valid(request, submitted):
        raise CsrfFailed()
    request.state.user = user
    request.state.db_session = session  # for the page chrome (the bell's unread count)
    if user is not None and user.language:
        prefer_language(user.language)
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def require(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting only the given roles: `Annotated[User, Depends(require(Role.admin))]`."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden()
        return user

    return check


AdminUser = Annotated[User, Depends(require(Role.admin))]
QaUser = Annotated[User, Depends(require(Role.qa_lead, Role.admin))]
ShopperUser = Annotated[User, Depends(require(Role.shopper))]
ReportReader = Annotated[User, Depends(require(Role.director, Role.qa_lead, Role.admin, Role.manager))]
ChecklistReader = Annotated[User, Depends(require(Role.qa_lead, Role.admin, Role.director))]
