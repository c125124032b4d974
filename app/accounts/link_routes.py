"""Pages behind the links we e-mail: accept an invitation, forgot / reset password, confirm a new
e-mail address; and the profile form that asks for that confirmation."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import links, passwords, service
from app.accounts.deps import CurrentUser, OptionalUser
from app.accounts.models import LinkPurpose
from app.db import SessionDep
from app.errors import DomainError
from app.web.templating import render

router = APIRouter(include_in_schema=False)

_SET_PASSWORD = {LinkPurpose.invitation: "accept_invitation", LinkPurpose.password_reset: "reset_password"}


def _password_form(request: Request, session: SessionDep, token: str, purpose: LinkPurpose,
                   error: str = "", status_code: int = 200) -> Response:
    _link, user = links.check(session, token=token, purpose=purpose)
    return render(request, "accounts/set_password.html", status_code=status_code, purpose=purpose.value,
                  action=request.url_for(_SET_PASSWORD[purpose], token=token), email=user.email, error=error)


def _set_password(request: Request, session: SessionDep, token: str, purpose: LinkPurpose,
                  new_password: str) -> Response:
    try:
        links.set_password_by_link(session, token=token, purpose=purpose, new_password=new_password)
    except passwords.WeakPassword as error:
        return _password_form(request, session, token, purpose, error=error.text(), status_code=422)
    return RedirectResponse(f"{request.url_for('login')}?done={purpose.value}", status_code=303)


@router.get("/account/invitation/{token}", name="invitation_page")
def invitation_page(request: Request, token: str, session: SessionDep, _user: OptionalUser) -> Response:
    return _password_form(request, session, token, LinkPurpose.invitation)


@router.post("/account/invitation/{token}", name="accept_invitation")
def accept_invitation(request: Request, token: str, session: SessionDep, _user: OptionalUser,
                      new_password: Annotated[str, Form()] = "") -> Response:
    return _set_password(request, session, token, LinkPurpose.invitation, new_password)


@router.get("/password/forgot", name="forgot_password_page")
def forgot_password_page(request: Request, _user: OptionalUser) -> Response:
    return render(request, "accounts/forgot.html", sent=False, email="")


@router.post("/password/forgot", name="forgot_password")
def forgot_password(request: Request, session: SessionDep, _user: OptionalUser,
                    email: Annotated[str, Form()] = "") -> Response:
    """The same page whatever the address: it never tells whether an account exists."""
    links.request_password_reset(session, email=email[:254])
    return render(request, "accounts/forgot.html", sent=True, email="")


@router.get("/password/reset/{token}", name="reset_password_page")
def reset_password_page(request: Request, token: str, session: SessionDep, _user: OptionalUser) -> Response:
    return _password_form(request, session, token, LinkPurpose.password_reset)


@router.post("/password/reset/{token}", name="reset_password")
def reset_password(request: Request, token: str, session: SessionDep, _user: OptionalUser,
                   new_password: Annotated[str, Form()] = "") -> Response:
    return _set_password(request, session, token, LinkPurpose.password_reset, new_password)


@router.post("/profile/email", name="profile_email")
def request_email_change(request: Request, user: CurrentUser, session: SessionDep,
                         new_email: Annotated[str, Form()] = "",
                         email_password: Annotated[str, Form()] = "") -> Response:
    from app.accounts.profile_routes import profile_with

    try:
        links.request_email_change(session, user=user, new_email=new_email, current_password=email_password)
    except service.WrongCurrentPassword as error:
        return profile_with(request, session, user, status_code=422, errors={"email_password": error.text()},
                            new_email=new_email)
    except DomainError as error:
        return profile_with(request, session, user, status_code=error.status_code,
                            errors={"new_email": error.text()}, new_email=new_email)
    return profile_with(request, session, user, email_sent_to=service.normalize_email(new_email))


@router.get("/account/email/{token}", name="confirm_email_page")
def confirm_email_page(request: Request, token: str, session: SessionDep, _user: OptionalUser) -> Response:
    link, _owner = links.check(session, token=token, purpose=LinkPurpose.email_change)
    return render(request, "accounts/confirm_email.html", new_email=link.new_email,
                  action=request.url_for("confirm_email", token=token))


@router.post("/account/email/{token}", name="confirm_email")
def confirm_email(request: Request, token: str, session: SessionDep, _user: OptionalUser) -> Response:
    links.confirm_email_change(session, token=token)
    return RedirectResponse(f"{request.url_for('login')}?done=email_change", status_code=303)
