"""/api/v1/actions: list with filters, create, update, history; same roles and scope as the pages."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role, User
from app.accounts.tokens import create_token
from app.db_types import utcnow
from tests.actions.conftest import SLUG, World, gap_action
from tests.factories import make_clinic, make_user


def _bearer(session: Session, user: User) -> dict[str, str]:
    _token, plain = create_token(session, user=user)
    return {"Authorization": f"Bearer {plain}"}


def test_create_update_and_history_through_the_api(client: TestClient, session: Session, world: World) -> None:
    auth = _bearer(session, world.manager)

    created = client.post("/api/v1/actions", headers=auth, json={
        "clinic_id": world.clinic.id, "title": "Answer within 20 s", "owner_id": world.manager.id,
        "checklist": SLUG, "touchpoint": "call", "due_on": "2027-02-01"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["items"] == ["call.answer_time", "call.callback", "call.greeting"] and body["status"] == "open"

    moved = client.patch(f"/api/v1/actions/{body['id']}", headers=auth,
                         json={"status": "in_progress", "comment": "Hiring a second receptionist"})
    redated = client.patch(f"/api/v1/actions/{body['id']}", headers=auth, json={"due_on": None})
    history = client.get(f"/api/v1/actions/{body['id']}/history", headers=auth)

    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assert redated.json()["due_on"] is None
    assert [(e["field"], e["new"], e["actor"]) for e in history.json()] == [
        ("created", "open", world.manager.email), ("status", "in_progress", world.manager.email),
        ("due_on", None, world.manager.email)]


def test_the_api_refuses_bad_input_with_422_saying_why(client: TestClient, session: Session, world: World) -> None:
    auth = _bearer(session, world.manager)
    outsider = make_user(session, Role.manager, clinic_id=make_clinic(session).id)
    action = gap_action(session, world)
    base = {"clinic_id": world.clinic.id, "title": "Fix", "checklist": SLUG, "items": ["call.greeting"]}

    no_owner = client.post("/api/v1/actions", headers=auth, json=base)
    outside = client.post("/api/v1/actions", headers=auth, json={**base, "owner_id": outsider.id})
    no_items = client.post("/api/v1/actions", headers=auth, json={**base, "owner_id": world.manager.id, "items": []})
    unknown = client.post("/api/v1/actions", headers=auth, json={**base, "owner_id": world.manager.id,
                                                                 "items": ["call.teleport"]})
    verified = client.patch(f"/api/v1/actions/{action.id}", headers=auth,
                            json={"status": "verified", "comment": "done"})

    assert [r.status_code for r in (no_owner, outside, no_items, unknown, verified)] == [422] * 5
    assert "exactly one owner" in no_owner.json()["detail"]
    assert "is not one of this clinic's people" in outside.json()["detail"]
    assert "at least one checklist item" in no_items.json()["detail"]
    assert "call.teleport" in unknown.json()["detail"]
    assert verified.json()["detail"] == "verified is set by a later audit, not by hand."


def test_a_manager_acting_on_another_clinic_gets_404(client: TestClient, session: Session, world: World) -> None:
    action = gap_action(session, world)
    stranger = make_user(session, Role.manager, clinic_id=make_clinic(session).id)
    auth = _bearer(session, stranger)

    listed = client.get(f"/api/v1/actions?clinic_id={world.clinic.id}", headers=auth)
    created = client.post("/api/v1/actions", headers=auth, json={
        "clinic_id": world.clinic.id, "title": "x", "owner_id": stranger.id, "items": ["call.greeting"]})
    patched = client.patch(f"/api/v1/actions/{action.id}", headers=auth, json={"comment": "hi"})
    history = client.get(f"/api/v1/actions/{action.id}/history", headers=auth)
    everything = client.get("/api/v1/actions", headers=auth)

    assert [r.status_code for r in (listed, created, patched, history)] == [404] * 4
    assert everything.status_code == 200 and everything.json() == []


def test_the_list_filters_by_clinic_status_owner_touchpoint_and_overdue(client: TestClient, session: Session,
                                                                        world: World) -> None:
    director = make_user(session, Role.director, whole_network=True)
    late = gap_action(session, world, title="Late", due_on=utcnow().date() - timedelta(days=2))
    desk = gap_action(session, world, title="Desk", items=("reception.wait",), owner=director)
    other_clinic = make_clinic(session)
    make_user(session, Role.manager, clinic_id=other_clinic.id)
    auth = _bearer(session, director)
    client.patch(f"/api/v1/actions/{desk.id}", headers=auth, json={"status": "in_progress", "comment": "Go"})

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/actions?{query}", headers=auth)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()]

    assert set(ids(f"clinic_id={world.clinic.id}")) == {late.id, desk.id}
    assert ids(f"clinic_id={other_clinic.id}") == []
    assert ids("status=in_progress") == [desk.id]
    assert ids(f"owner={director.id}") == [desk.id]
    assert ids("touchpoint=call") == [late.id]
    assert ids("overdue=true") == [late.id]
    assert client.get("/api/v1/actions", headers=auth).json()[0]["overdue"] is True  # overdue first


def test_a_shopper_cannot_use_the_actions_api(client: TestClient, session: Session, world: World) -> None:
    auth = _bearer(session, make_user(session, Role.shopper))

    assert client.get("/api/v1/actions", headers=auth).status_code == 403
