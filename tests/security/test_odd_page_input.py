"""The odd inputs that made pages answer 500, each answered with a clear 4xx (or ignored) now."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import app
from tests.security.test_page_fuzz import on_page_database, page_world  # noqa: F401 (fixtures)
from tests.security.world import World, as_user


@pytest.fixture
def pages(on_page_database: World) -> Iterator[tuple[World, TestClient]]:  # noqa: F811
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield on_page_database, client


@pytest.mark.parametrize(("who", "url"), [
    ("admin", "/reports?wave=²"), ("admin", "/reports/clinics/{clinic}?wave=²"),
    ("admin", "/reports/export.xlsx?wave=²"), ("qa_lead", "/review?wave=²"), ("qa_lead", "/review?clinic=²"),
    ("qa_lead", "/checklists/sec-clinic/diff?from=²&to=1"), ("qa_lead", "/checklists/sec-clinic/diff?to=²"),
    ("manager", "/actions?clinic_id=²"), ("admin", "/admin/users?clinic=²"),
    ("manager", "/actions/improved?to=9999-12-31"), ("manager", "/actions/improved?from=0001-01-01"),
    ("anonymous", "/static/1/a%00b.css"),
])
def test_odd_query_values_get_no_server_error(pages: tuple[World, TestClient], who: str, url: str) -> None:
    world, client = pages
    as_user(client, world.logins.get(who))

    response = client.get(url.format(clinic=world.clinic_a.id))

    assert response.status_code < 500, response.text[:300]
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("form", [
    {"tz_offset": "--5", "started_at": "2026-10-01T10:00"},
    {"tz_offset": "99999999999999999999", "started_at": "2026-10-01T10:00"},
    {"tz_offset": "2147483648", "started_at": "2026-10-01T10:00"},
    {"tz_offset": "-180", "started_at": "0001-01-01T00:00"},
    {"tz_offset": "180", "ended_at": "9999-12-31T23:59"},
])
def test_odd_visit_times_are_refused_or_ignored_not_a_crash(pages: tuple[World, TestClient],
                                                            form: dict[str, str]) -> None:
    world, client = pages
    as_user(client, world.logins["shopper"])

    response = client.post(f"/visits/{world.draft.id}/times", data=form)

    assert response.status_code in (303, 422), response.text[:300]


@pytest.mark.parametrize("form", [
    {"action": "item_up", "t": "x", "i": "0"}, {"action": "item_move", "t": "0", "i": "0", "to": "1.5"},
    {"action": "tp_down", "t": "99999999999999999999"}, {"action": "item_remove", "t": "0", "i": "²"},
])
def test_structure_actions_with_a_bad_position_are_a_422(pages: tuple[World, TestClient],
                                                         form: dict[str, str]) -> None:
    world, client = pages
    as_user(client, world.logins["qa_lead"])

    response = client.post("/checklists/sec-clinic/draft/structure", data=form)

    assert response.status_code in (409, 422), response.text[:300]


def test_a_nul_byte_in_a_form_field_is_a_422_with_the_security_headers(pages: tuple[World, TestClient]) -> None:
    world, client = pages
    as_user(client, world.logins["qa_lead"])

    response = client.post("/waves", data={"name": "Wave\x00one", "starts_on": "2026-01-01",
                                           "ends_on": "2026-02-01"})

    assert response.status_code == 422
    assert "Content-Security-Policy" in response.headers


def test_a_wave_name_longer_than_the_column_is_a_422(pages: tuple[World, TestClient]) -> None:
    world, client = pages
    as_user(client, world.logins["qa_lead"])

    response = client.post("/waves", data={"name": "W" * 121, "starts_on": "2026-01-01", "ends_on": "2026-02-01"})

    assert response.status_code == 422
    assert "at most 120 characters" in response.text


@pytest.mark.parametrize("visits", ["99999999999999999999", "101", "0"])
def test_bulk_assignment_refuses_more_visits_than_the_api_allows(pages: tuple[World, TestClient],
                                                                 visits: str) -> None:
    world, client = pages
    as_user(client, world.logins["qa_lead"])

    response = client.post(f"/waves/{world.wave.id}/assign", data={
        "checklist": "sec-clinic", "clinic": str(world.clinic_a.id), "shopper": str(world.users["shopper"].id),
        "visits": visits})

    assert response.status_code == 422, response.text[:300]
