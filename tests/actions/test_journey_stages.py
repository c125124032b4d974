"""The journey map's service blueprint: a manager (or director) sets a stage's backstage work,
supporting systems and its one owner; the map shows them under the stage, with the stage's
checklist items as the front stage; bad input is refused with the form and a message."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actions.models import JourneyStage
from app.db_types import utcnow
from tests.actions.conftest import World, approved_visit
from tests.factories import PASSWORD, make_clinic, make_user
from tests.web import csrf_from, log_in


def _form_url(world: World, key: str = "call") -> str:
    return f"/reports/clinics/{world.clinic.id}/journey/stages/{key}"


def test_a_manager_sets_a_stages_blueprint_and_owner_and_the_map_shows_them(client: TestClient, session: Session,
                                                                            world: World) -> None:
    approved_visit(session, world, at=utcnow() - timedelta(days=2))
    log_in(client, world.manager.email, PASSWORD)
    form = client.get(_form_url(world))

    saved = client.post(_form_url(world), data={
        "csrf_token": csrf_from(form.text), "owner_name": "  Ирина   Петрова ",
        "backstage": "Confirm the booking by SMS", "systems": "Call centre, CRM"}, follow_redirects=False)
    page = client.get(f"/reports/clinics/{world.clinic.id}/journey")

    assert form.status_code == 200 and 'name="owner_name"' in form.text
    assert saved.status_code == 303
    assert saved.headers["location"].endswith(f"/reports/clinics/{world.clinic.id}/journey")
    stage = session.exec(select(JourneyStage).where(JourneyStage.clinic_id == world.clinic.id,
                                                    JourneyStage.touchpoint_key == "call")).one()
    assert stage.owner_name == "Ирина Петрова" and stage.updated_by_id == world.manager.id
    assert "Ирина Петрова" in page.text and "Confirm the booking by SMS" in page.text
    assert "Call centre, CRM" in page.text
    assert 'class="lane-front"' in page.text and "Phone" in page.text  # the channel, in the reader's language


def test_saving_again_replaces_the_stage_rather_than_adding_one(client: TestClient, session: Session,
                                                                 world: World) -> None:
    log_in(client, world.manager.email, PASSWORD)
    token = csrf_from(client.get(_form_url(world)).text)

    for owner in ("First owner", "Second owner"):
        client.post(_form_url(world), data={"csrf_token": token, "owner_name": owner}, follow_redirects=False)

    rows = session.exec(select(JourneyStage).where(JourneyStage.clinic_id == world.clinic.id)).all()
    assert [r.owner_name for r in rows] == ["Second owner"]


def test_bad_stage_input_is_refused_with_a_clear_message(client: TestClient, session: Session, world: World) -> None:
    rival = make_clinic(session, is_competitor=True)
    director = make_user(session, "director", whole_network=True)
    log_in(client, director.email, PASSWORD)
    token = csrf_from(client.get(_form_url(world)).text)

    too_long = client.post(_form_url(world), data={"csrf_token": token, "backstage": "x" * 1001})
    unknown = client.post(_form_url(world, "no_such_stage"), data={"csrf_token": token, "owner_name": "A"})
    competitor = client.post(f"/reports/clinics/{rival.id}/journey/stages/call",
                             data={"csrf_token": token, "owner_name": "A"})

    assert too_long.status_code == 422 and "1000 characters" in too_long.text
    assert unknown.status_code == 404
    assert competitor.status_code == 422 and "competitor" in competitor.text
    assert session.exec(select(JourneyStage)).all() == []


def test_a_qa_lead_may_read_the_map_but_not_set_its_owners(client: TestClient, session: Session,
                                                          world: World) -> None:
    log_in(client, world.qa.email, PASSWORD)

    page = client.get(f"/reports/clinics/{world.clinic.id}/journey")
    form = client.get(_form_url(world))

    assert page.status_code == 200 and "journey_stage" not in page.text and "/journey/stages/" not in page.text
    assert form.status_code == 403
