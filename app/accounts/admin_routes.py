"""Admin pages for users: list, create, edit role/scope/name, deactivate, reset password."""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.accounts import links, passwords, service
from app.accounts.deps import AdminUser
from app.accounts.models import Role, User
from app.clinics.models import Clinic, Region
from app.db import SessionDep
from app.errors import DomainError, Invalid
from app.i18n import N_, gettext
from app.web import choices
from app.web.labels import ROLE
from app.web.paging import PageParams
from app.web.templating import render

router = APIRouter(include_in_schema=False)

ROLE_LABELS = ROLE


def _ids(values: list[str]) -> list[int]:
    return sorted({int(value) for value in values if value.strip().isascii() and value.strip().isdigit()})


def _scope_for(role: str, clinic_id: str, region_ids: list[str], clinic_ids: list[str],
               whole_network: str = "") -> dict[str, Any]:
    """Only the scope the chosen role uses: the other selects may still hold stale choices. An
    unticked checkbox sends nothing, so a missing whole_network clears the flag."""
    if role == Role.manager:
        return {"clinic_id": int(clinic_id) if clinic_id.strip().isascii() and clinic_id.strip().isdigit() else None}
    if role == Role.director:
        return {"region_ids": _ids(region_ids), "clinic_ids": _ids(clinic_ids),
                "whole_network": whole_network.strip().lower() in ("1", "on", "true", "yes")}
    return {}


def _field_of(error: DomainError) -> str:
    if isinstance(error, passwords.WeakPassword):
        return "password"
    if isinstance(error, service.EmailTaken):
        return "email"
    if isinstance(error, service.OwnRoleChange):
        return "role"
    if isinstance(error, service.BadScope):
        return "scope"
    return "form"


def _form_page(request: Request, session: Session, *, user: User | None, form: dict[str, Any],
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "admin/user_form.html", status_code=status_code, user=user, form=form,
                  errors=errors or {}, roles=ROLE_LABELS,
                  home_clinics=choices.for_field(request, session, "branches", "clinic_id", form["clinic_id"]),
                  regions=choices.for_field(request, session, "regions", "region_ids", form["region_ids"]),
                  clinics=choices.for_field(request, session, "clinics", "clinic_ids", form["clinic_ids"]))


@router.get("/admin/users", name="admin_users")
def users_page(request: Request, admin: AdminUser, session: SessionDep, page: PageParams,
               role: str | None = None, invited: str | None = None) -> Response:
    role = role if role in Role.__members__ else None
    if invited == "1":
        request.state.flashes = [("ok", gettext(N_("The invitation is on its way: the person sets their own password "
                                                   "from the link in the e-mail.")))]
    users = service.users_page(session, page=page, role=role)
    return render(request, "admin/users.html", block="users", users=users.rows, listing=users, role=role,
                  roles=ROLE_LABELS, scopes=_scope_labels(session, users.rows))


def _scope_labels(session: Session, users: list[User]) -> dict[int | None, str]:
    """What each manager or director sees, in words; "" for roles without a scope."""
    scopes = service.scopes_of(session, [user.id or 0 for user in users
                                         if user.role == Role.director and not user.whole_network])
    # Names of the clinics this page mentions only: the clinics table may be long.
    wanted = {user.clinic_id for user in users if user.role == Role.manager and user.clinic_id}
    wanted |= {clinic_id for _regions, clinic_ids in scopes.values() for clinic_id in clinic_ids}
    clinic_names = dict(session.exec(select(Clinic.id, Clinic.name).where(col(Clinic.id).in_(wanted))).all()
                        ) if wanted else {}
    named = {region_id for region_ids, _clinics in scopes.values() for region_id in region_ids}
    regions = dict(session.exec(select(Region.id, Region.name).where(col(Region.id).in_(named))).all()
                   ) if named else {}
    labels: dict[int | None, str] = {}
    for user in users:
        if user.role == Role.manager:
            labels[user.id] = clinic_names.get(user.clinic_id, "")
        elif user.role == Role.director:
            if user.whole_network:
                labels[user.id] = gettext(N_("Whole network"))
                continue
            region_ids, clinic_ids = scopes[user.id or 0]
            names = [regions.get(rid, "?") for rid in region_ids]
            names += [clinic_names.get(cid, "?") for cid in clinic_ids]
            labels[user.id] = ", ".join(names) or gettext(N_("Nothing yet: sees no clinic"))
    return labels


@router.get("/admin/users/new", name="admin_user_new")
def new_user_page(request: Request, admin: AdminUser, session: SessionDep) -> Response:
    form: dict[str, Any] = {"email": "", "name": "", "role": Role.shopper.value, "clinic_id": None,
                            "region_ids": [], "clinic_ids": [], "whole_network": False, "access": "invite"}
    return _form_page(request, session, user=None, form=form)


@router.post("/admin/users", name="admin_user_create")
def create_user(request: Request, admin: AdminUser, session: SessionDep,
                email: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                role: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                clinic_id: Annotated[str, Form()] = "", region_ids: Annotated[list[str], Form()] = [],  # noqa: B006
                clinic_ids: Annotated[list[str], Form()] = [],  # noqa: B006
                whole_network: Annotated[str, Form()] = "", access: Annotated[str, Form()] = "") -> Response:
    """With access=invite (or no access and no password) the person gets an e-mail link to choose
    their password; with access=password (or a password and no access) the admin sets one now."""
    scope = _scope_for(role, clinic_id, region_ids, clinic_ids, whole_network)
    inviting = access == "invite" or (access != "password" and not password)
    form = {"email": email, "name": name, "role": role, "clinic_id": scope.get("clinic_id"),
            "region_ids": scope.get("region_ids", []), "clinic_ids": scope.get("clinic_ids", []),
            "whole_network": scope.get("whole_network", False), "access": "invite" if inviting else "password"}
    if inviting:
        password = secrets.token_urlsafe(32)  # nobody knows it; the invitation replaces it
    errors: dict[str, str] = {}
    try:
        service.normalize_email(email)
    except Invalid as error:
        errors["email"] = error.text()
    if role not in Role.__members__:
        errors["role"] = gettext(N_("Choose a role."))
    try:
        passwords.check_strength(password)
    except Invalid as error:
        errors["password"] = error.text()
    if not errors:
        try:
            with session.begin_nested():  # a scope error after the insert must leave nothing behind
                created = service.create_user(session, email=email, role=role, password=password, name=name,
                                              actor=admin, **scope)
                if inviting:
                    links.invite(session, user=created, actor=admin)
        except DomainError as error:
            errors[_field_of(error)] = error.text()
    if errors:
        return _form_page(request, session, user=None, form=form, errors=errors, status_code=422)
    target = request.url_for("admin_users")
    return RedirectResponse(f"{target}?invited=1" if inviting else target, status_code=303)


def _user_form(session: Session, user: User) -> dict[str, Any]:
    region_ids, clinic_ids = service.scope_of(session, user)
    return {"email": user.email, "name": user.name, "role": user.role, "clinic_id": user.clinic_id,
            "region_ids": region_ids, "clinic_ids": clinic_ids, "whole_network": user.whole_network}


@router.get("/admin/users/{user_id}", name="admin_user_edit")
def edit_user_page(request: Request, user_id: int, admin: AdminUser, session: SessionDep) -> Response:
    user = service.get_user(session, user_id)
    return _form_page(request, session, user=user, form=_user_form(session, user))


@router.post("/admin/users/{user_id}", name="admin_user_update")
def update_user(request: Request, user_id: int, admin: AdminUser, session: SessionDep,
                name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
                clinic_id: Annotated[str, Form()] = "", region_ids: Annotated[list[str], Form()] = [],  # noqa: B006
                clinic_ids: Annotated[list[str], Form()] = [],  # noqa: B006
                whole_network: Annotated[str, Form()] = "") -> Response:
    user = service.get_user(session, user_id)
    scope = _scope_for(role, clinic_id, region_ids, clinic_ids, whole_network)
    form = {"email": user.email, "name": name, "role": role, "clinic_id": scope.get("clinic_id"),
            "region_ids": scope.get("region_ids", []), "clinic_ids": scope.get("clinic_ids", []),
            "whole_network": scope.get("whole_network", False)}
    if role not in Role.__members__:
        return _form_page(request, session, user=user, form=form, status_code=422,
                          errors={"role": gettext(N_("Choose a role."))})
    try:
        with session.begin_nested():
            service.update_user(session, user=user, name=name, role=role, actor=admin, **scope)
    except DomainError as error:
        session.refresh(user)
        return _form_page(request, session, user=user, form=form, errors={_field_of(error): error.text()},
                          status_code=422)
    return RedirectResponse(request.url_for("admin_users"), status_code=303)


@router.post("/admin/users/{user_id}/active", name="admin_user_set_active")
def set_active(request: Request, user_id: int, admin: AdminUser, session: SessionDep,
               active: Annotated[bool, Form()] = False) -> Response:
    """Deactivating ends the user's sessions at once; an admin cannot deactivate themselves."""
    user = service.get_user(session, user_id)
    if user.id == admin.id and not active:
        return _form_page(request, session, user=user, form=_user_form(session, user), status_code=422,
                          errors={"active": gettext(N_("You cannot deactivate your own account."))})
    service.set_active(session, user=user, active=active, actor=admin)
    return RedirectResponse(request.url_for("admin_user_edit", user_id=user_id), status_code=303)


@router.post("/admin/users/{user_id}/password", name="admin_user_reset_password")
def reset_password(request: Request, user_id: int, admin: AdminUser, session: SessionDep,
                   new_password: Annotated[str, Form()] = "") -> Response:
    """A new password set by the admin; every session of that user ends."""
    user = service.get_user(session, user_id)
    try:
        service.change_password(session, user=user, new_password=new_password, actor=admin)
    except passwords.WeakPassword as error:
        return _form_page(request, session, user=user, form=_user_form(session, user), status_code=422,
                          errors={"new_password": error.text()})
    return RedirectResponse(request.url_for("admin_user_edit", user_id=user_id), status_code=303)
