"""The cases that matter beyond role checks: another shopper's audit, a director of another region, a
manager of another clinic, a deactivated user, a revoked token, no session. Nothing of a clinic or
an audit reaches anyone outside its scope, in pages, API, media or exports; 404 where existence
itself is private."""

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts import tokens
from tests.security.world import World, as_user, build_world

SECRET_NAME = "North clinic"  # clinic A, the one with an approved audit, a photo and an action


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def test_a_shopper_gets_404_for_everything_of_another_shoppers_audit(client: TestClient, world: World) -> None:
    other, photo = world.other_draft.id, world.other_photo.id
    as_user(client, world.logins["shopper"])
    for url in (f"/visits/{other}", f"/visits/{other}/brief", f"/visits/{other}/overview", f"/visits/{other}/t/call",
                f"/media/{photo}", f"/media/{photo}/thumb"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/visits/{other}/items/call.greeting", data={"value": "yes"}).status_code == 404
    assert client.post(f"/visits/{other}/submit").status_code == 404
    assert client.post(f"/visits/{other}/evidence/{photo}/delete").status_code == 404
    as_user(client, world.logins["shopper"], api=True)
    assert client.get(f"/api/v1/audits/{other}").status_code == 404
    response = client.put(f"/api/v1/audits/{other}/answers",
                          json={"answers": [{"key": "call.greeting", "value": True}]})
    assert response.status_code == 404
    assert client.delete(f"/api/v1/audits/{other}/evidence/{photo}").status_code == 404
    assert all(a["audit_id"] != other for a in client.get("/api/v1/assignments").json())


def test_a_shopper_may_not_delete_another_audits_photo_through_their_own_audit(client: TestClient,
                                                                              world: World) -> None:
    as_user(client, world.logins["shopper"], api=True)
    response = client.delete(f"/api/v1/audits/{world.draft.id}/evidence/{world.other_photo.id}")
    assert response.status_code == 404
    as_user(client, world.logins["other_shopper"])
    assert client.get(f"/media/{world.other_photo.id}").status_code == 200  # still there


@pytest.mark.parametrize("outsider", ["other_director", "other_manager"])
def test_someone_outside_a_clinics_scope_gets_404_for_it_everywhere(client: TestClient, world: World,
                                                                   outsider: str) -> None:
    clinic, action, photo = world.clinic_a.id, world.action.id, world.approved_photo.id
    as_user(client, world.logins[outsider])
    for url in (f"/reports/clinics/{clinic}", f"/reports/clinics/{clinic}/report.pdf",
                f"/reports/clinics/{clinic}/journey", f"/actions/clinics/{clinic}", f"/actions/{action}",
                f"/actions/new?clinic_id={clinic}", f"/media/{photo}", f"/media/{photo}/thumb"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/actions/{action}", data={"status": "done", "comment": "x"}).status_code == 404
    as_user(client, world.logins[outsider], api=True)
    for url in (f"/api/v1/reports/clinics/{clinic}", f"/api/v1/actions/{action}",
                f"/api/v1/actions/{action}/history"):
        assert client.get(url).status_code == 404, url
    assert client.patch(f"/api/v1/actions/{action}", json={"status": "done"}).status_code in (404, 422)
    assert SECRET_NAME not in client.get("/api/v1/clinics").text
    assert all(a["clinic_id"] != clinic for a in client.get("/api/v1/actions").json())


@pytest.mark.parametrize("outsider", ["other_director", "other_manager"])
def test_lists_and_exports_hold_nothing_of_a_clinic_outside_the_scope(client: TestClient, world: World,
                                                                      outsider: str) -> None:
    as_user(client, world.logins[outsider])
    for url in ("/reports", "/actions", "/actions/improved", "/reports/my-clinic", "/reports/answers.csv"):
        response = client.get(url)
        assert response.status_code in (200, 303, 403), url
        assert SECRET_NAME not in response.text, url
    workbook = client.get("/reports/export.xlsx")
    assert workbook.status_code == 200
    cells = [str(cell.value) for sheet in load_workbook(io.BytesIO(workbook.content)).worksheets
             for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in cells if SECRET_NAME in cell]
    as_user(client, world.logins[outsider], api=True)
    network = client.get("/api/v1/reports/network")
    assert network.status_code in (200, 403)
    assert SECRET_NAME not in network.text


def test_the_director_and_manager_in_scope_do_see_the_clinic(client: TestClient, world: World) -> None:
    for who in ("director", "manager"):
        as_user(client, world.logins[who])
        assert client.get(f"/reports/clinics/{world.clinic_a.id}").status_code == 200
        assert SECRET_NAME in client.get("/reports/answers.csv").text
        assert client.get(f"/media/{world.approved_photo.id}").status_code == 200


@pytest.mark.parametrize("reader", ["director", "manager"])
def test_photos_of_an_audit_not_yet_approved_are_hidden_from_the_clinics_readers(client: TestClient, world: World,
                                                                               reader: str) -> None:
    as_user(client, world.logins[reader])
    assert client.get(f"/media/{world.draft_photo.id}").status_code == 404
    assert client.get(f"/media/{world.draft_photo.id}/thumb").status_code == 404


def test_a_deactivated_users_session_and_token_stop_working(session: Session, client: TestClient,
                                                           world: World) -> None:
    login = world.logins["director"]
    accounts.set_active(session, user=login.user, active=False, actor=world.users["admin"])
    as_user(client, login)  # reads /profile: already sent to the login page
    page = client.get("/reports")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    as_user(client, login, api=True)
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_refused_with_401(session: Session, client: TestClient, world: World) -> None:
    login = world.logins["qa_lead"]
    tokens.revoke_token(session, token=login.api_token_row)
    as_user(client, login, api=True)
    response = client.get("/api/v1/waves")
    assert response.status_code == 401
    assert response.json()["detail"]
    client.headers["Authorization"] = "Bearer mp_not-a-token"
    assert client.get("/api/v1/me").status_code == 401


def test_without_a_session_the_api_answers_401_json_and_pages_send_to_login(client: TestClient,
                                                                          world: World) -> None:
    as_user(client, None)
    api = client.get(f"/api/v1/audits/{world.draft.id}")
    assert api.status_code == 401 and api.headers["content-type"].startswith("application/json")
    page = client.get(f"/visits/{world.draft.id}")
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/visits/{world.draft.id}"
    htmx = client.get(f"/visits/{world.draft.id}", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login"
    assert client.get(f"/media/{world.approved_photo.id}").status_code == 303
