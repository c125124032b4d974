"""Admin clinic and region pages: create, edit, deactivate, validation next to the field, trail."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.clinics.models import Clinic, Region
from app.trail.models import TrailEvent
from tests.accounts.sign_in import sign_in
from tests.factories import PASSWORD, make_clinic, make_region, make_user
from tests.web import csrf_from


def _as_admin(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    sign_in(client, admin.email, PASSWORD)
    client.headers["Accept-Language"] = "en"


def test_clinics_page_lists_branches_and_competitors_with_their_region(client: TestClient,
                                                                       session: Session) -> None:
    _as_admin(client, session)
    region = make_region(session, "Siberia")
    make_clinic(session, name="Branch Novosibirsk", region=region)
    make_clinic(session, name="Rival Clinic", region=region, is_competitor=True, active=False)

    page = client.get("/admin/clinics")

    assert page.status_code == 200
    branches = page.text[page.text.index('id="branches"'):page.text.index('id="competitors"')]
    competitors = page.text[page.text.index('id="competitors"'):page.text.index('id="regions"')]
    assert "Branch Novosibirsk" in branches and "Siberia" in branches
    assert "Rival Clinic" in competitors and "Inactive" in competitors


def test_admin_creates_a_clinic_through_the_form(client: TestClient, session: Session) -> None:
    _as_admin(client, session)
    region = make_region(session)
    form = client.get("/admin/clinics/new")

    response = client.post("/admin/clinics", data={
        "csrf_token": csrf_from(form.text), "name": "Central", "region_id": str(region.id), "city": "Moscow",
        "address": "Tverskaya 1", "latitude": "55,7558", "longitude": "37.6173", "active": "true"})

    assert form.status_code == 200 and '<label for="f-latitude">' in form.text
    assert response.status_code == 303
    clinic = session.exec(select(Clinic).where(Clinic.name == "Central")).one()
    assert (clinic.latitude, clinic.longitude, clinic.active, clinic.is_competitor) == (55.7558, 37.6173,
                                                                                       True, False)
    assert session.exec(select(TrailEvent).where(TrailEvent.verb == "clinic.create",
                                                 TrailEvent.entity_id == clinic.id)).first() is not None


def test_bad_clinic_input_is_shown_next_to_each_field_and_nothing_is_saved(client: TestClient,
                                                                           session: Session) -> None:
    _as_admin(client, session)

    response = client.post("/admin/clinics", data={"name": " ", "region_id": "", "latitude": "north",
                                                   "longitude": "181"})

    assert response.status_code == 422
    for field in ("name", "region_id", "latitude", "longitude"):
        assert f'id="e-{field}"' in response.text
    assert "Enter a number" in response.text and "between -180.0 and 180.0" in response.text
    assert 'value="north"' in response.text
    assert session.exec(select(Clinic).where(Clinic.city == "")).first() is None


def test_admin_edits_and_deactivates_a_clinic(client: TestClient, session: Session) -> None:
    _as_admin(client, session)
    clinic = make_clinic(session, name="Old name")
    page = client.get(f"/admin/clinics/{clinic.id}")

    response = client.post(f"/admin/clinics/{clinic.id}", data={
        "name": "New name", "region_id": str(clinic.region_id), "city": "Tula", "is_competitor": "true"})

    assert page.status_code == 200 and 'value="Old name"' in page.text
    assert response.status_code == 303
    session.refresh(clinic)
    assert (clinic.name, clinic.city) == ("New name", "Tula")
    assert (clinic.active, clinic.is_competitor) == (False, True)
    event = session.exec(select(TrailEvent).where(TrailEvent.verb == "clinic.update",
                                                  TrailEvent.entity_id == clinic.id)).one()
    assert event.detail["changes"]["name"] == ["Old name", "New name"]


def test_editing_a_missing_clinic_is_404(client: TestClient, session: Session) -> None:
    _as_admin(client, session)

    assert client.get("/admin/clinics/999999").status_code == 404


def test_admin_creates_and_renames_a_region_but_not_onto_a_taken_name(client: TestClient,
                                                                       session: Session) -> None:
    _as_admin(client, session)
    make_region(session, "Volga")

    created = client.post("/admin/regions", data={"name": "  Far   East "})
    region = session.exec(select(Region).where(Region.name == "Far East")).one()
    clash = client.post(f"/admin/regions/{region.id}", data={"name": "volga"})
    renamed = client.post(f"/admin/regions/{region.id}", data={"name": "Far East and Sakhalin"})
    duplicate = client.post("/admin/regions", data={"name": "VOLGA"})

    assert created.status_code == 303
    assert clash.status_code == 422 and "already exists" in clash.text
    assert renamed.status_code == 303
    session.refresh(region)
    assert region.name == "Far East and Sakhalin"
    assert duplicate.status_code == 422 and 'id="region-new-error"' in duplicate.text
    verbs = session.exec(select(TrailEvent.verb).where(TrailEvent.entity == "region",
                                                       TrailEvent.entity_id == region.id)).all()
    assert sorted(verbs) == ["region.create", "region.rename"]
