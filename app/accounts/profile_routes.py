"""The user's own profile: password, interface language, personal API tokens."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts import service, sessions, tokens
from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.db import SessionDep
from app.errors import DomainError
from app.trail import service as trail
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def profile_with(request: Request, session: Session, user: User, *, status_code: int = 200,
                 **context: Any) -> Response:
    """The profile page with extra context (errors, notices) from a form of another module."""
    context.setdefault("errors", {})
    return render(request, "accounts/profile.html", status_code=status_code, user=user,
                  tokens=tokens.tokens_of(session, user=user), **context)


@router.get("/profile", name="profile")
def profile_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return profile_with(request, session, user)


@router.post("/profile/password", name="profile_password")
def change_password(request: Request, user: CurrentUser, session: SessionDep,
                    current_password: Annotated[str, Form()] = "",
                    new_password: Annotated[str, Form()] = "") -> Response:
    """After a change every session ends, this one too: the user logs in again with the new password."""
    try:
        service.change_own_password(session, user=user, current_password=current_password,
                                    new_password=new_password)
    except service.WrongCurrentPassword as error:
        return profile_with(request, session, user, status_code=422, errors={"current_password": error.text()})
    except DomainError as error:
        return profile_with(request, session, user, status_code=error.status_code,
                     errors={"new_password": error.text()})
    response = RedirectResponse(request.url_for("login"), status_code=303)
    response.delete_cookie(sessions.COOKIE)
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Redirect"] = str(request.url_for("login"))
    return response


@router.post("/profile/tokens", name="profile_token_create")
def create_token(request: Request, user: CurrentUser, session: SessionDep,
                 name: Annotated[str, Form()] = "") -> Response:
    """The plain token appears in this response only; it is never stored or shown again."""
    token, plain = tokens.create_token(session, user=user, name=name.strip())
    trail.record(session, actor=user, verb="token.create", entity="api_token", entity_id=token.id,
                 prefix=token.prefix)
    response = profile_with(request, session, user, new_token=plain, new_token_name=token.name)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/profile/tokens/{token_id}/revoke", name="profile_token_revoke")
def revoke_token(request: Request, token_id: int, user: CurrentUser, session: SessionDep) -> Response:
    token = tokens.own_token(session, user=user, token_id=token_id)
    tokens.revoke_token(session, token=token)
    trail.record(session, actor=user, verb="token.revoke", entity="api_token", entity_id=token.id,
                 prefix=token.prefix)
    return RedirectResponse(request.url_for("profile"), status_code=303)
