"""Competitor clinics are benchmarks: they are compared with, never fixed by us, so they get no actions."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.actions.models import Action
from tests.actions.conftest import SLUG, World
from tests.factories import PASSWORD, make_clinic, make_user
from tests.web import csrf_from, log_in

REFUSAL = "is a competitor"


def test_the_api_refuses_an_action_on_a_competitor_with_422(client: TestClient, session: Session,
                                                             world: World) -> None:
    rival = make_clinic(session, name="Rival Aesthetics", is_competitor=True)
    director = make_user(session, Role.director, whole_network=True)
    log_in(client, director.email, PASSWORD)

    answer = client.post("/api/v1/actions", json={
        "clinic_id": rival.id, "title": "Greet better", "owner_id": director.id, "checklist": SLUG,
        "items": ["call.greeting"]})

    assert answer.status_code == 422
    assert "Rival Aesthetics" in answer.json()["detail"] and REFUSAL in answer.json()["detail"]
    assert session.exec(select(Action).where(Action.clinic_id == rival.id)).first() is None


def test_the_form_says_so_and_refuses_to_create_on_a_competitor(client: TestClient, session: Session,
                                                                 world: World) -> None:
    rival = make_clinic(session, name="Rival Aesthetics", is_competitor=True)
    director = make_user(session, Role.director, whole_network=True)
    log_in(client, director.email, PASSWORD)

    form = client.get(f"/actions/new?clinic_id={rival.id}")
    posted = client.post("/actions", data={
        "csrf_token": csrf_from(client.get(f"/actions/new?clinic_id={world.clinic.id}").text),
        "clinic_id": rival.id, "title": "Greet better", "owner_id": director.id, "items": "call.greeting"})

    assert form.status_code == 422 and REFUSAL in form.text and 'name="title"' not in form.text
    assert posted.status_code == 422 and REFUSAL in posted.text
    assert session.exec(select(Action).where(Action.clinic_id == rival.id)).first() is None


def test_our_own_clinic_still_takes_actions(client: TestClient, session: Session, world: World) -> None:
    director = make_user(session, Role.director, whole_network=True)
    log_in(client, director.email, PASSWORD)

    answer = client.post("/api/v1/actions", json={
        "clinic_id": world.clinic.id, "title": "Greet better", "owner_id": director.id, "checklist": SLUG,
        "items": ["call.greeting"]})

    assert answer.status_code == 201, answer.text
