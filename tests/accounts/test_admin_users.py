"""Admin user pages: create with scope, validation (422, nothing half-saved), edit, reset, reactivate."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts import service
from app.accounts.models import Role, User
from app.trail.models import TrailEvent
from tests.accounts.sign_in import sign_in
from tests.factories import PASSWORD, make_clinic, make_region, make_user
from tests.web import csrf_from

NEW_PASSWORD = "a brand new passphrase"


def _as_admin(client: TestClient, session: Session) -> User:
    admin = make_user(session, Role.admin)
    sign_in(client, admin.email, PASSWORD)
    client.headers["Accept-Language"] = "en"
    return admin


def test_admin_creates_a_director_scoped_to_a_region_and_the_trail_records_it(client: TestClient,
                                                                              session: Session) -> None:
    admin = _as_admin(client, session)
    region = make_region(session)
    form_page = client.get("/admin/users/new")

    response = client.post("/admin/users", data={
        "email": "Dir@Example.test", "name": "Olga", "role": "director", "password": NEW_PASSWORD,
        "region_ids": [str(region.id)], "csrf_token": csrf_from(form_page.text)})

    assert response.status_code == 303
    director = service.find_user(session, "dir@example.test")
    assert director is not None and director.role == Role.director and director.name == "Olga"
    assert service.scope_of(session, director) == ([region.id], [])
    event = session.exec(select(TrailEvent).where(TrailEvent.entity_id == director.id,
                                                  TrailEvent.verb == "user.create")).one()
    assert event.actor_id == admin.id


def test_a_short_password_is_rejected_next_to_the_field_and_no_user_is_made(client: TestClient,
                                                                            session: Session) -> None:
    _as_admin(client, session)

    response = client.post("/admin/users", data={"email": "short@example.test", "role": "shopper",
                                                  "password": "elevenchars"})

    assert response.status_code == 422
    assert "at least 12 characters" in response.text
    assert 'id="e-password"' in response.text
    assert 'value="short@example.test"' in response.text  # the form keeps what was typed
    assert service.find_user(session, "short@example.test") is None


def test_a_manager_without_a_clinic_is_rejected_and_nothing_is_half_saved(client: TestClient,
                                                                          session: Session) -> None:
    _as_admin(client, session)

    response = client.post("/admin/users", data={"email": "mgr@example.test", "role": "manager",
                                                  "password": NEW_PASSWORD, "clinic_id": ""})

    assert response.status_code == 422
    assert "A manager needs exactly one clinic" in response.text
    assert service.find_user(session, "mgr@example.test") is None


def test_a_taken_email_is_reported_on_the_email_field(client: TestClient, session: Session) -> None:
    _as_admin(client, session)
    existing = make_user(session, Role.shopper)

    response = client.post("/admin/users", data={"email": existing.email.upper(), "role": "shopper",
                                                  "password": NEW_PASSWORD})

    assert response.status_code == 422
    assert 'id="e-email"' in response.text
    assert "already exists" in response.text


def test_admin_form_post_without_a_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    _as_admin(client, session)
    del client.headers["X-CSRF-Token"]

    response = client.post("/admin/users", data={"email": "x@example.test", "role": "shopper",
                                                  "password": NEW_PASSWORD})

    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert service.find_user(session, "x@example.test") is None


def test_admin_changes_a_shopper_into_a_clinic_manager(client: TestClient, session: Session) -> None:
    admin = _as_admin(client, session)
    user = make_user(session, Role.shopper)
    clinic = make_clinic(session)

    response = client.post(f"/admin/users/{user.id}", data={"name": "Ivan", "role": "manager",
                                                            "clinic_id": str(clinic.id),
                                                            "region_ids": ["999"]})

    assert response.status_code == 303
    session.refresh(user)
    assert (user.role, user.clinic_id, user.name) == (Role.manager, clinic.id, "Ivan")
    assert session.exec(select(TrailEvent).where(TrailEvent.verb == "user.update",
                                                 TrailEvent.actor_id == admin.id)).first() is not None


def test_an_admin_cannot_change_their_own_role(client: TestClient, session: Session) -> None:
    admin = _as_admin(client, session)

    response = client.post(f"/admin/users/{admin.id}", data={"name": "", "role": "shopper"})

    assert response.status_code == 422
    assert "cannot change your own role" in response.text
    session.refresh(admin)
    assert admin.role == Role.admin


def test_resetting_a_password_ends_the_users_sessions(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.qa_lead)
    sign_in(client, user.email, PASSWORD)
    user_cookie = client.cookies.get("mp_session")
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    _as_admin(client, session)

    short = client.post(f"/admin/users/{user.id}/password", data={"new_password": "short"})
    response = client.post(f"/admin/users/{user.id}/password", data={"new_password": NEW_PASSWORD})

    assert short.status_code == 422 and 'id="e-new_password"' in short.text
    assert response.status_code == 303
    assert service.authenticate(session, email=user.email, password=NEW_PASSWORD, address="t") == user
    client.cookies.clear()
    client.cookies.set("mp_session", user_cookie or "")
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_user_can_be_reactivated(client: TestClient, session: Session) -> None:
    _as_admin(client, session)
    user = make_user(session, Role.shopper)
    client.post(f"/admin/users/{user.id}/active", data={"active": "false"})

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "true"})

    assert response.status_code == 303
    session.refresh(user)
    assert user.active
    verbs = session.exec(select(TrailEvent.verb).where(TrailEvent.entity_id == user.id,
                                                       TrailEvent.entity == "user")).all()
    assert {"user.deactivate", "user.activate"} <= set(verbs)


def test_an_admin_cannot_deactivate_themselves(client: TestClient, session: Session) -> None:
    admin = _as_admin(client, session)

    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "false"})

    assert response.status_code == 422
    session.refresh(admin)
    assert admin.active


def test_users_list_filters_by_role_as_a_page_and_as_an_htmx_fragment(client: TestClient,
                                                                      session: Session) -> None:
    _as_admin(client, session)
    region = make_region(session, "North-West")
    director = make_user(session, Role.director, region_ids=[region.id])
    shopper = make_user(session, Role.shopper)

    page = client.get("/admin/users", params={"role": "director"})
    fragment = client.get("/admin/users", params={"role": "director"}, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and "<html" not in fragment.text
    for response in (page, fragment):
        assert director.email in response.text and "North-West" in response.text
        assert shopper.email not in response.text
    assert 'id="users"' in fragment.text
