import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.tokens import create_token
from app.clinics.models import Clinic
from app.fieldwork.geo import distance_m
from app.fieldwork.models import Audit, AuditStatus
from tests.factories import make_user
from tests.fieldwork.helpers import make_audit


def test_haversine_gives_known_distances() -> None:
    assert distance_m(55.7558, 37.6173, 55.7558, 37.6173) == 0
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-3)  # one degree on the equator
    assert distance_m(55.7558, 37.6173, 59.9343, 30.3351) == pytest.approx(634_000, rel=0.01)  # Moscow–St Petersburg


def test_visit_times_through_the_api(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.put(f"/api/v1/audits/{audit.id}/visit", json={
        "started_at": "2026-10-02T10:00:00+03:00", "ended_at": "2026-10-02T10:40:00+03:00"})

    assert response.status_code == 200
    assert response.json()["visit_started_at"].startswith("2026-10-02T07:00:00")


@pytest.mark.parametrize("body", [
    {"started_at": "2026-10-02T10:00:00Z", "ended_at": "2026-10-02T09:00:00Z"},
    {"started_at": "2999-01-01T10:00:00Z"},
    {"started_at": "yesterday"},
])
def test_impossible_visit_times_are_422(as_shopper: TestClient, audit: Audit, body: dict[str, str]) -> None:
    assert as_shopper.put(f"/api/v1/audits/{audit.id}/visit", json=body).status_code == 422


def test_check_in_stores_the_location_and_the_distance_to_the_clinic(as_shopper: TestClient, audit: Audit,
                                                                     session: Session) -> None:
    clinic = session.get(Clinic, audit.clinic_id)
    assert clinic is not None
    clinic.latitude, clinic.longitude = 55.7558, 37.6173
    session.add(clinic)
    session.commit()

    response = as_shopper.post(f"/api/v1/audits/{audit.id}/checkin",
                               json={"latitude": 55.7558, "longitude": 37.6273, "accuracy_m": 15})

    checkin = response.json()["checkin"]
    assert response.status_code == 200 and checkin["accuracy_m"] == 15
    assert checkin["distance_m"] == pytest.approx(627, abs=2)


@pytest.mark.parametrize("body", [{"latitude": 91, "longitude": 0}, {"latitude": 0, "longitude": -181},
                                  {"latitude": 1, "longitude": 1, "accuracy_m": -5}, {"latitude": "here"}])
def test_impossible_locations_are_422(as_shopper: TestClient, audit: Audit, body: dict[str, object]) -> None:
    assert as_shopper.post(f"/api/v1/audits/{audit.id}/checkin", json=body).status_code == 422


def test_a_check_in_without_clinic_coordinates_has_no_distance(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/api/v1/audits/{audit.id}/checkin", json={"latitude": 55.0, "longitude": 37.0})

    assert response.json()["checkin"]["distance_m"] is None


def test_visit_facts_are_frozen_after_submit(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    audit.status = AuditStatus.submitted
    session.add(audit)
    session.commit()

    assert as_shopper.post(f"/api/v1/audits/{audit.id}/checkin",
                           json={"latitude": 55.0, "longitude": 37.0}).status_code == 409
    assert as_shopper.post(f"/visits/{audit.id}/times", data={"now": "start"}).status_code == 409


def test_the_api_works_with_a_bearer_token_without_csrf(client: TestClient, session: Session) -> None:
    shopper = make_user(session, "shopper")
    audit = make_audit(session, shopper=shopper)
    _token, plain = create_token(session, user=shopper)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}

    saved = client.put(f"/api/v1/audits/{audit.id}/answers", headers=headers,
                       json={"answers": [{"item": "call.greeting", "value": True}]})

    assert saved.status_code == 200 and saved.json()["answers"][0]["value"] is True
