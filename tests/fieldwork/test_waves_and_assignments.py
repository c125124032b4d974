from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.checklists.versions import ChecklistNotFound, latest_version
from app.errors import Conflict, Invalid
from app.fieldwork.assignments import assign_in_bulk, assign_visit, audit_for
from app.fieldwork.models import Audit, AuditStatus
from app.fieldwork.waves import create_wave
from app.trail.models import TrailEvent
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import make_wave, publish_checklist
from tests.web import log_in


def test_a_wave_needs_a_name_a_sane_period_and_a_free_name(session: Session) -> None:
    create_wave(session, name="2026 Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31))

    with pytest.raises(Invalid):
        create_wave(session, name="  ", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31))
    with pytest.raises(Invalid):
        create_wave(session, name="Backwards", starts_on=date(2026, 12, 1), ends_on=date(2026, 10, 1))
    with pytest.raises(Conflict):
        create_wave(session, name="2026 Q4", starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31))


def test_assigning_a_visit_creates_a_draft_audit_pinned_to_the_latest_version(session: Session) -> None:
    publish_checklist(session)
    wave, clinic, shopper = make_wave(session), make_clinic(session), make_user(session, Role.shopper)

    assignment = assign_visit(session, wave=wave, clinic=clinic, checklist_slug="test-clinic", scenario=None,
                              shopper=shopper, window_start=date(2026, 10, 1), window_end=date(2026, 10, 10))

    audit = audit_for(session, assignment)
    assert audit.status == AuditStatus.draft
    assert (audit.wave_id, audit.clinic_id, audit.shopper_id) == (wave.id, clinic.id, shopper.id)
    assert audit.checklist_version_id == latest_version(session, "test-clinic").id
    assert session.exec(select(TrailEvent).where(TrailEvent.verb == "assignment.create")).first() is not None


def test_only_an_active_shopper_can_be_assigned(session: Session) -> None:
    publish_checklist(session)
    wave, clinic = make_wave(session), make_clinic(session)

    with pytest.raises(Invalid):
        assign_visit(session, wave=wave, clinic=clinic, checklist_slug="test-clinic", scenario=None,
                     shopper=make_user(session, Role.director))
    with pytest.raises(ChecklistNotFound):
        assign_visit(session, wave=wave, clinic=clinic, checklist_slug="missing", scenario=None,
                     shopper=make_user(session, Role.shopper))


def test_bulk_assignment_goes_round_robin_and_never_twice_to_one_clinic(session: Session) -> None:
    publish_checklist(session)
    wave = make_wave(session)
    clinics = [make_clinic(session) for _ in range(3)]
    shoppers = [make_user(session, Role.shopper) for _ in range(3)]

    made = assign_in_bulk(session, wave=wave, clinics=clinics, shoppers=shoppers, checklist_slug="test-clinic",
                          scenario=None, visits_per_clinic=2)

    pairs = [(a.clinic_id, a.shopper_id) for a in made]
    assert len(made) == 6 and len(set(pairs)) == 6
    assert sorted(a.shopper_id for a in made) == sorted([s.id for s in shoppers] * 2)


def test_bulk_assignment_avoids_shoppers_who_already_visited_the_clinic_in_the_wave(session: Session) -> None:
    publish_checklist(session)
    wave, clinic = make_wave(session), make_clinic(session)
    veteran, newcomer = make_user(session, Role.shopper), make_user(session, Role.shopper)
    assign_visit(session, wave=wave, clinic=clinic, checklist_slug="test-clinic", scenario=None, shopper=veteran)

    (made,) = assign_in_bulk(session, wave=wave, clinics=[clinic], shoppers=[veteran, newcomer],
                             checklist_slug="test-clinic", scenario=None)

    assert made.shopper_id == newcomer.id


def test_waves_api_creates_and_lists_for_qa(client: TestClient, session: Session) -> None:
    log_in_as(client, session, Role.qa_lead)

    created = client.post("/api/v1/waves", json={"name": "2027 Q1", "starts_on": "2027-01-01",
                                                 "ends_on": "2027-03-31"})
    listed = client.get("/api/v1/waves")

    assert created.status_code == 201
    assert {"id", "name", "starts_on", "ends_on"} <= set(created.json())
    assert "2027 Q1" in [w["name"] for w in listed.json()]


@pytest.mark.parametrize("body", [
    {"name": "Bad", "starts_on": "2027-03-01", "ends_on": "2027-01-01"},
    {"name": "", "starts_on": "2027-01-01", "ends_on": "2027-03-31"},
    {"name": "Typo", "starts_on": "2027-01-01", "ends_on": "2027-03-31", "colour": "red"},
    {"name": "No dates"},
])
def test_waves_api_refuses_bad_waves(client: TestClient, session: Session, body: dict[str, str]) -> None:
    log_in_as(client, session, Role.admin)

    assert client.post("/api/v1/waves", json=body).status_code == 422


def test_waves_api_is_for_qa_and_admins_only(client: TestClient, session: Session) -> None:
    log_in_as(client, session, Role.shopper)

    assert client.get("/api/v1/waves").status_code == 403
    assert client.post("/api/v1/waves", json={"name": "X", "starts_on": "2027-01-01",
                                              "ends_on": "2027-01-02"}).status_code == 403


def test_assignments_api_creates_a_visit_and_its_audit(client: TestClient, session: Session) -> None:
    publish_checklist(session)
    wave, clinic = make_wave(session), make_clinic(session)
    shopper = make_user(session, Role.shopper)
    session.commit()
    log_in_as(client, session, Role.qa_lead)

    response = client.post("/api/v1/assignments", json={"wave_id": wave.id, "clinic_id": clinic.id,
                                                        "checklist": "test-clinic", "shopper": shopper.email,
                                                        "due_on": "2026-10-20"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["checklist_version"] == 1 and body["due_on"] == "2026-10-20" and body["status"] == "draft"
    audit = session.get(Audit, body["audit_id"])
    assert audit is not None and audit.shopper_id == shopper.id


@pytest.mark.parametrize(("change", "status"), [
    ({"checklist": "nope"}, 422),
    ({"shopper": "nobody@example.test"}, 422),
    ({"clinic_id": 999999}, 422),
    ({"wave_id": 999999}, 422),
    ({"scenario_id": 999999}, 422),
    ({"due_on": "soon"}, 422),
])
def test_assignments_api_refuses_bad_references(client: TestClient, session: Session, change: dict[str, object],
                                                status: int) -> None:
    publish_checklist(session)
    wave, clinic = make_wave(session), make_clinic(session)
    shopper = make_user(session, Role.shopper)
    session.commit()
    log_in_as(client, session, Role.admin)
    body = {"wave_id": wave.id, "clinic_id": clinic.id, "checklist": "test-clinic", "shopper": shopper.email}

    response = client.post("/api/v1/assignments", json=body | change)

    assert response.status_code == status


def test_assignments_api_shows_a_shopper_only_their_own(client: TestClient, session: Session) -> None:
    publish_checklist(session)
    wave = make_wave(session)
    shopper, other = make_user(session, Role.shopper), make_user(session, Role.shopper)
    for person in (shopper, other):
        assign_visit(session, wave=wave, clinic=make_clinic(session), checklist_slug="test-clinic",
                     scenario=None, shopper=person)
    session.commit()

    client.headers["Accept-Language"] = "en"
    log_in(client, shopper.email, PASSWORD)
    own = client.get("/api/v1/assignments").json()
    client.cookies.clear()
    log_in_as(client, session, Role.qa_lead)
    everything = client.get("/api/v1/assignments").json()

    assert {a["shopper"] for a in own} == {shopper.email}
    assert {shopper.email, other.email} <= {a["shopper"] for a in everything}


def test_a_shopper_cannot_create_assignments(client: TestClient, session: Session) -> None:
    log_in_as(client, session, Role.shopper)

    assert client.post("/api/v1/assignments", json={"wave_id": 1, "clinic_id": 1, "checklist": "x",
                                                    "shopper": "a@b.c"}).status_code == 403
