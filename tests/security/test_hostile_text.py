"""Text no database column can hold (NUL) and text meant for another interpreter (markup, SQL) is
refused or stored inertly: never a 500, never executed."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.security.world import World, as_user, build_world

NUL = "before\x00after"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.mark.parametrize("field", ["value", "comment"])
def test_a_nul_character_in_an_answer_is_refused_not_a_crash(client: TestClient, world: World, field: str) -> None:
    as_user(client, world.logins["shopper"], api=True)
    entry = {"key": "reception.notes", "value": "fine"} | {field: NUL}
    response = client.put(f"/api/v1/audits/{world.draft.id}/answers", json={"answers": [entry]})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert "\x00" not in response.text


def test_a_nul_character_in_the_login_form_is_no_crash(client: TestClient, world: World) -> None:
    as_user(client, None)
    response = client.post("/login", data={"email": "a\x00@example.test", "password": NUL})
    assert response.status_code in (400, 422)


def test_a_nul_character_in_an_action_title_is_no_crash(client: TestClient, world: World) -> None:
    as_user(client, world.logins["manager"], api=True)
    response = client.post("/api/v1/actions", json={"clinic_id": world.clinic_a.id, "title": NUL,
                                                    "owner_id": world.users["manager"].id,
                                                    "item_keys": ["call.greeting"]})
    assert response.status_code < 500, response.text


def test_markup_in_an_answer_is_shown_escaped_to_qa(client: TestClient, world: World) -> None:
    as_user(client, world.logins["shopper"], api=True)
    script = "<script>alert('x')</script>"
    client.put(f"/api/v1/audits/{world.draft.id}/answers",
               json={"answers": [{"key": "reception.notes", "value": script}]})
    as_user(client, world.logins["qa_lead"])
    page = client.get(f"/review/audits/{world.draft.id}")
    assert script not in page.text


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30], ids=["int32+1", "int64+1", "huge"])
def test_an_id_too_large_for_the_database_is_404_not_a_crash(client: TestClient, world: World, number: int) -> None:
    as_user(client, world.logins["admin"], api=True)
    assert client.get(f"/api/v1/actions/{number}").status_code == 404
    assert client.get(f"/api/v1/reports/clinics/{number}").status_code == 404
    as_user(client, world.logins["shopper"])
    assert client.get(f"/visits/{number}").status_code == 404
    assert client.get(f"/media/{number}").status_code == 404
