"""HTTP conformance: a 405 names the allowed methods; API dates and times refuse numbers."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.helpers import make_wave, publish_checklist
from tests.web import log_in


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("DELETE", "/healthz", {"GET"}), ("PUT", "/login", {"GET", "POST"}), ("PATCH", "/api/v1/waves", {"GET", "POST"}),
])
def test_a_405_carries_allow(client: TestClient, method: str, url: str, allowed: set[str]) -> None:
    response = client.request(method, url)

    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= allowed


@pytest.mark.parametrize("value", [0, 1700000000, 1.5, True])
def test_api_dates_refuse_numbers(client: TestClient, session: Session, value: object) -> None:
    publish_checklist(session)
    wave = make_wave(session)
    clinic = make_clinic(session)
    shopper = make_user(session, Role.shopper)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    assignment = client.post("/api/v1/assignments", json={
        "wave_id": wave.id, "clinic_id": clinic.id, "checklist": "test-clinic", "shopper": shopper.email,
        "due_on": value})
    new_wave = client.post("/api/v1/waves", json={"name": "Numbers", "starts_on": value, "ends_on": "2026-12-31"})

    assert assignment.status_code == 422 and "ISO 8601" in assignment.text
    assert new_wave.status_code == 422


def test_api_dates_still_take_iso_strings(client: TestClient, session: Session) -> None:
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    response = client.post("/api/v1/waves", json={"name": "Strings", "starts_on": "2026-01-01",
                                                  "ends_on": "2026-03-31"})

    assert response.status_code == 201, response.text
    assert response.json()["starts_on"] == "2026-01-01"
