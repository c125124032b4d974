"""Action plan pages: boards (page and htmx fragment), create form, moves, journey map, improved."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.db_types import utcnow
from tests.actions.conftest import World, approved_visit, gap_action, mark_done
from tests.factories import PASSWORD, make_clinic, make_user
from tests.web import csrf_from, log_in

HX = {"HX-Request": "true"}


def test_a_managers_action_board_is_their_clinics_board_with_overdue_standing_out(
        client: TestClient, session: Session, world: World) -> None:
    gap_action(session, world, title="Late fix", due_on=utcnow().date() - timedelta(days=3))
    log_in(client, world.manager.email, PASSWORD)

    page = client.get("/actions")
    fragment = client.get("/actions", headers=HX)

    assert page.status_code == 200 and "<html" in page.text
    assert world.clinic.name in page.text and "Late fix" in page.text
    assert "Overdue" in page.text and "is-overdue" in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="action-board"' in fragment.text and "Late fix" in fragment.text


def test_the_network_board_filters_by_owner_touchpoint_and_overdue(client: TestClient, session: Session,
                                                                   world: World) -> None:
    director = make_user(session, Role.director, whole_network=True)
    gap_action(session, world, title="Call fix", due_on=utcnow().date() - timedelta(days=1))
    gap_action(session, world, title="Desk fix", items=("reception.wait",), owner=director)
    log_in(client, director.email, PASSWORD)

    by_touchpoint = client.get("/actions?touchpoint=reception", headers=HX).text
    by_owner = client.get(f"/actions?owner={director.id}").text
    overdue = client.get("/actions?overdue=1").text

    assert "Desk fix" in by_touchpoint and "Call fix" not in by_touchpoint
    assert "Desk fix" in by_owner and "Call fix" not in by_owner
    assert "Call fix" in overdue and "Desk fix" not in overdue


def test_a_manager_cannot_open_another_clinics_board_or_action(client: TestClient, session: Session,
                                                                world: World) -> None:
    action = gap_action(session, world)
    stranger = make_user(session, Role.manager, clinic_id=make_clinic(session).id)
    log_in(client, stranger.email, PASSWORD)

    assert client.get(f"/actions/clinics/{world.clinic.id}").status_code == 404
    assert client.get(f"/actions/{action.id}").status_code == 404
    assert client.post(f"/actions/{action.id}", data={"comment": "hi"}).status_code == 404


def test_a_shopper_has_no_action_plan(client: TestClient, session: Session, world: World) -> None:
    shopper = make_user(session, Role.shopper)
    log_in(client, shopper.email, PASSWORD)

    assert client.get("/actions").status_code == 403


def test_creating_from_a_gap_through_the_form_then_moving_it_to_done(client: TestClient, session: Session,
                                                                     world: World) -> None:
    log_in(client, world.manager.email, PASSWORD)
    form = client.get(f"/actions/new?clinic_id={world.clinic.id}&item=call.greeting&touchpoint=call")
    assert form.status_code == 200 and 'value="call.greeting"' in form.text

    created = client.post("/actions", data={
        "csrf_token": csrf_from(form.text), "clinic_id": world.clinic.id, "title": "Name the clinic on the phone",
        "owner_id": world.manager.id, "due_on": "2027-01-31", "items": "call.greeting", "touchpoint": "call"})
    assert created.status_code == 303
    detail_url = created.headers["location"]

    moved = client.post(detail_url, data={"status": "done", "comment": "Script at every phone"}, headers=HX)

    assert moved.status_code == 200 and 'id="action-detail"' in moved.text and "<html" not in moved.text
    assert "Script at every phone" in moved.text
    page = client.get(detail_url)
    assert "<html" in page.text and "Done, awaiting a visit" in page.text


def test_the_form_refuses_a_gap_without_items_saying_why(client: TestClient, session: Session,
                                                         world: World) -> None:
    log_in(client, world.manager.email, PASSWORD)

    response = client.post("/actions", data={"clinic_id": world.clinic.id, "title": "Something",
                                             "owner_id": world.manager.id})

    assert response.status_code == 422
    assert "at least one checklist item" in response.text


def test_moving_to_verified_by_hand_answers_422(client: TestClient, session: Session, world: World) -> None:
    action = gap_action(session, world)
    log_in(client, world.manager.email, PASSWORD)

    response = client.post(f"/actions/{action.id}", data={"status": "verified", "comment": "trust me"}, headers=HX)

    assert response.status_code == 422
    assert "verified is set by a later audit, not by hand" in response.text


def test_the_journey_map_shows_needs_problems_fixes_and_scrolls_in_its_own_strip(
        client: TestClient, session: Session, world: World) -> None:
    fixed = gap_action(session, world, title="Answer within 20 s", items=("call.answer_time",))
    mark_done(session, world, fixed, at=utcnow() - timedelta(days=10))
    approved_visit(session, world, at=utcnow() - timedelta(days=2), changes={"reception.wait": "long"})
    world.manager.language = "ru"  # the need is shown in the reader's language
    session.add(world.manager)
    log_in(client, world.manager.email, PASSWORD)

    page = client.get(f"/reports/clinics/{world.clinic.id}/journey")
    fragment = client.get(f"/reports/clinics/{world.clinic.id}/journey?wave={world.wave.id}", headers=HX)

    assert page.status_code == 200 and "<html" in page.text
    assert 'class="journey journey-map"' in page.text and "Быстро записаться" in page.text
    assert "sticker red" in page.text and "Waiting" in page.text  # the failing choice item (English only)
    assert "sticker green" in page.text and "Answer within 20 s" in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="journey-map"' in fragment.text


def test_what_we_improved_lists_gaps_turned_green_with_their_audits(client: TestClient, session: Session,
                                                                    world: World) -> None:
    action = gap_action(session, world, title="Greeting fixed")
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))
    audit = approved_visit(session, world, at=utcnow() - timedelta(days=2))
    log_in(client, world.qa.email, PASSWORD)
    today = utcnow().date()

    page = client.get(f"/actions/improved?from={today - timedelta(days=1)}&to={today}")
    empty = client.get(f"/actions/improved?from={today - timedelta(days=30)}&to={today - timedelta(days=20)}",
                       headers=HX)

    assert page.status_code == 200 and "Greeting fixed" in page.text and f"#{audit.id}" in page.text
    assert "1 gap turned green" in page.text
    assert empty.status_code == 200 and "<html" not in empty.text and "0 gaps turned green" in empty.text


def test_the_gap_report_links_gaps_to_the_create_form(client: TestClient, session: Session, world: World) -> None:
    approved_visit(session, world, at=utcnow() - timedelta(days=2), changes={"call.greeting": False})
    log_in(client, world.manager.email, PASSWORD)

    page = client.get(f"/reports/clinics/{world.clinic.id}")

    assert f"/actions/new?clinic_id={world.clinic.id}&amp;item=call.greeting" in page.text
    assert f"/actions/new?clinic_id={world.clinic.id}&amp;touchpoint=call" in page.text
