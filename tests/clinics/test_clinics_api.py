"""GET/POST /api/v1/clinics: scope per role, region by name, field errors as JSON."""

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.accounts import tokens
from app.accounts.models import Role, User
from app.clinics.models import Clinic, Region
from tests.factories import make_clinic, make_region, make_user


def _bearer(session: Session, user: User) -> dict[str, str]:
    _token, plain = tokens.create_token(session, user=user)
    return {"Authorization": f"Bearer {plain}"}


def _listed_ids(client: TestClient, session: Session, user: User) -> set[int]:
    response = client.get("/api/v1/clinics", headers=_bearer(session, user))
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()}


def test_a_regional_director_lists_only_their_regions_clinics(client: TestClient, session: Session) -> None:
    north, south = make_region(session), make_region(session)
    mine = [make_clinic(session, region=north), make_clinic(session, region=north, is_competitor=True)]
    make_clinic(session, region=south)
    director = make_user(session, Role.director, region_ids=[north.id])

    assert _listed_ids(client, session, director) == {clinic.id for clinic in mine}


def test_a_clinic_scoped_director_lists_only_those_clinics(client: TestClient, session: Session) -> None:
    region = make_region(session)
    first, _second, third = (make_clinic(session, region=region) for _ in range(3))
    director = make_user(session, Role.director, clinic_ids=[first.id, third.id])

    assert _listed_ids(client, session, director) == {first.id, third.id}


def test_a_whole_network_director_lists_every_clinic(client: TestClient, session: Session) -> None:
    make_clinic(session), make_clinic(session, is_competitor=True)
    director = make_user(session, Role.director, whole_network=True)

    listed = _listed_ids(client, session, director)

    assert len(listed) == session.exec(select(func.count()).select_from(Clinic)).one()


def test_a_manager_lists_only_their_own_clinic(client: TestClient, session: Session) -> None:
    own = make_clinic(session)
    make_clinic(session)
    manager = make_user(session, Role.manager, clinic_id=own.id)

    assert _listed_ids(client, session, manager) == {own.id}


def test_a_shopper_may_not_list_clinics(client: TestClient, session: Session) -> None:
    shopper = make_user(session, Role.shopper)

    response = client.get("/api/v1/clinics", headers=_bearer(session, shopper))

    assert response.status_code == 403
    assert "detail" in response.json()


def test_listing_without_credentials_is_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/clinics")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")


def test_admin_creates_a_clinic_and_its_region_when_missing(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)

    response = client.post("/api/v1/clinics", headers=_bearer(session, admin), json={
        "name": "Rival Dental", "region": "Ural", "city": "Yekaterinburg", "latitude": 56.84,
        "longitude": 60.6, "is_competitor": True, "active": True})
    again = client.post("/api/v1/clinics", headers=_bearer(session, admin), json={
        "name": "Branch 7", "region": "ural", "city": "Yekaterinburg", "is_competitor": False,
        "active": True})

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "name": "Rival Dental", "region": "Ural", "city": "Yekaterinburg",
                    "is_competitor": True, "active": True, "time_zone": None,
                    "effective_time_zone": "Europe/Moscow"}
    assert again.status_code == 201 and again.json()["region"] == "Ural"
    assert len(session.exec(select(Region).where(func.lower(Region.name) == "ural")).all()) == 1


def test_coordinates_out_of_range_are_422_and_nothing_is_created(client: TestClient,
                                                                 session: Session) -> None:
    admin = make_user(session, Role.admin)
    headers = _bearer(session, admin) | {"Accept-Language": "en"}

    response = client.post("/api/v1/clinics", headers=headers, json={
        "name": "Nowhere", "region": "Brand New Region", "city": "X", "latitude": 91, "longitude": 200,
        "is_competitor": False, "active": True})

    assert response.status_code == 422
    fields = {problem["field"] for problem in response.json()["detail"]}
    assert fields == {"latitude", "longitude"}
    assert session.exec(select(Region).where(Region.name == "Brand New Region")).first() is None


def test_only_an_admin_may_create_clinics(client: TestClient, session: Session) -> None:
    qa_lead = make_user(session, Role.qa_lead)

    response = client.post("/api/v1/clinics", headers=_bearer(session, qa_lead), json={
        "name": "X", "region": "Y", "city": "Z", "is_competitor": False, "active": True})

    assert response.status_code == 403


def test_me_reports_the_callers_role_and_scope(client: TestClient, session: Session) -> None:
    region = make_region(session)
    director = make_user(session, Role.director, name="Dana", region_ids=[region.id])

    response = client.get("/api/v1/me", headers=_bearer(session, director))

    assert response.status_code == 200
    assert response.json() == {"id": director.id, "email": director.email, "name": "Dana", "role": "director",
                               "scope": {"clinic_id": None, "whole_network": False, "region_ids": [region.id],
                                         "clinic_ids": []}}


def test_an_admin_changes_a_clinics_time_zone_and_nothing_else(client: TestClient, session: Session) -> None:
    clinic = make_clinic(session, name="Far clinic", latitude=43.1, longitude=131.9)
    admin = make_user(session, Role.admin)

    changed = client.patch(f"/api/v1/clinics/{clinic.id}", json={"time_zone": "Asia/Vladivostok"},
                           headers=_bearer(session, admin))
    read = client.get(f"/api/v1/clinics/{clinic.id}", headers=_bearer(session, admin))

    assert changed.status_code == 200, changed.text
    assert read.json() == changed.json()
    body = read.json()
    assert (body["time_zone"], body["effective_time_zone"], body["name"]) == ("Asia/Vladivostok",
                                                                             "Asia/Vladivostok", "Far clinic")
    session.refresh(clinic)
    assert (clinic.latitude, clinic.longitude) == (43.1, 131.9)


def test_a_null_time_zone_returns_the_clinic_to_the_networks(client: TestClient, session: Session) -> None:
    clinic = make_clinic(session, time_zone="Europe/Kaliningrad")
    admin = make_user(session, Role.admin)

    body = client.patch(f"/api/v1/clinics/{clinic.id}", json={"time_zone": None},
                        headers=_bearer(session, admin)).json()

    assert body["time_zone"] is None and body["effective_time_zone"] != "Europe/Kaliningrad"


def test_a_bad_change_is_a_422_naming_the_field_and_keeps_the_clinic(client: TestClient, session: Session) -> None:
    clinic = make_clinic(session, name="Kept clinic")
    admin = make_user(session, Role.admin)

    zone = client.patch(f"/api/v1/clinics/{clinic.id}", json={"time_zone": "Mars/Olympus", "name": "New"},
                        headers=_bearer(session, admin))
    latitude = client.patch(f"/api/v1/clinics/{clinic.id}", json={"latitude": 95},
                            headers=_bearer(session, admin))

    assert zone.status_code == 422 and "time_zone" in zone.text
    assert latitude.status_code == 422 and "latitude" in latitude.text
    session.refresh(clinic)
    assert (clinic.name, clinic.time_zone) == ("Kept clinic", None)


def test_only_an_admin_changes_a_clinic_and_a_director_reads_only_in_scope(client: TestClient,
                                                                          session: Session) -> None:
    north = make_region(session)
    mine, other = make_clinic(session, region=north), make_clinic(session)
    director = make_user(session, Role.director, region_ids=[north.id])
    qa = make_user(session, Role.qa_lead)

    assert client.get(f"/api/v1/clinics/{mine.id}", headers=_bearer(session, director)).status_code == 200
    assert client.get(f"/api/v1/clinics/{other.id}", headers=_bearer(session, director)).status_code == 404
    assert client.get("/api/v1/clinics/999999", headers=_bearer(session, qa)).status_code == 404
    assert client.patch(f"/api/v1/clinics/{mine.id}", json={"active": False},
                        headers=_bearer(session, qa)).status_code == 403


def test_a_change_may_move_a_clinic_to_a_new_region_by_name(client: TestClient, session: Session) -> None:
    clinic = make_clinic(session)
    admin = make_user(session, Role.admin)

    body = client.patch(f"/api/v1/clinics/{clinic.id}", json={"region": "Primorye"},
                        headers=_bearer(session, admin)).json()

    assert body["region"] == "Primorye"
    assert session.exec(select(Region).where(Region.name == "Primorye")).one().id == clinic.region_id
