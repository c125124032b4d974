"""Scope fails closed (issue 12, docs/design.md §2): a director sees the whole network only with the
explicit whole_network flag; scoped to nothing, they see no clinic anywhere (pages, API, exports,
downloads, media, digests), and their report pages say so instead of looking empty."""

import io
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.accounts import scope
from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.db import make_engine
from app.fieldwork import waves
from app.notifications import schedule
from app.notifications.events import Event
from app.trail.models import TrailEvent
from tests.accounts.sign_in import sign_in
from tests.database import fresh_database, migrate
from tests.factories import PASSWORD, make_clinic, make_region, make_user
from tests.notifications.conftest import told
from tests.notifications.network import approve, build_network, submitted_audit
from tests.security.world import World, as_user, build_world, finished_download, log_in_directly
from tests.web import csrf_from

EMPTY = "No clinics are in your scope yet"
CLINICS = ("North clinic", "South clinic")
REPORT_PAGES = ("/reports", "/reports/drivers", "/actions", "/actions/improved", "/costs")


@pytest.fixture
def world(session: Session) -> World:
    world = build_world(session)
    world.users["unscoped"] = make_user(session, Role.director, name="Nobody's director")
    world.users["whole"] = make_user(session, Role.director, name="Everyone's director", whole_network=True)
    for name in ("unscoped", "whole"):
        world.logins[name] = log_in_directly(session, world.users[name])
        world.jobs[name] = finished_download(session, world.users[name], world.clinic_a)
    session.commit()
    return world


def test_an_unscoped_director_sees_no_clinic_and_the_reason(session: Session, world: World) -> None:
    assert scope.visible_clinic_ids(session, world.users["unscoped"]) == set()
    assert not scope.can_see_clinic(session, world.users["unscoped"], world.clinic_a.id or 0)


def test_an_unscoped_directors_report_pages_say_nothing_is_in_scope(client: TestClient, world: World) -> None:
    as_user(client, world.logins["unscoped"])
    for url in REPORT_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert EMPTY in response.text, url
        assert not any(name in response.text for name in CLINICS), url
    assert EMPTY not in client.get("/profile").text  # only pages that report on clinics


def test_an_unscoped_director_gets_404_for_each_clinic_and_its_media(client: TestClient, world: World) -> None:
    clinic, action, photo = world.clinic_a.id, world.action.id, world.approved_photo.id
    as_user(client, world.logins["unscoped"])
    for url in (f"/reports/clinics/{clinic}", f"/reports/clinics/{clinic}/report.pdf",
                f"/reports/clinics/{clinic}/journey", f"/actions/clinics/{clinic}", f"/actions/{action}",
                f"/media/{photo}", f"/media/{photo}/thumb"):
        assert client.get(url).status_code == 404, url


def test_an_unscoped_directors_exports_and_downloads_hold_no_clinic(client: TestClient, world: World) -> None:
    as_user(client, world.logins["unscoped"])
    workbook = client.get("/reports/export.xlsx")
    assert workbook.status_code == 200
    cells = [str(c) for ws in load_workbook(io.BytesIO(workbook.content)).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(name in cell for cell in cells for name in CLINICS)
    answers = client.get("/reports/answers.csv")
    assert not any(name in answers.text for name in CLINICS)
    # A file made for clinic A: an empty scope does not cover it.
    assert client.get(f"/downloads/{world.jobs['unscoped'].id}/file").status_code == 403


def test_an_unscoped_directors_api_lists_nothing(client: TestClient, world: World) -> None:
    as_user(client, world.logins["unscoped"], api=True)
    assert client.get("/api/v1/clinics").json() == []
    assert client.get("/api/v1/actions").json() == []
    assert client.get(f"/api/v1/reports/clinics/{world.clinic_a.id}").status_code == 404
    network = client.get("/api/v1/reports/network")
    assert network.status_code in (200, 404)
    assert not any(name in network.text for name in CLINICS)
    assert client.get("/api/v1/me").json()["scope"] == {"clinic_id": None, "whole_network": False,
                                                         "region_ids": [], "clinic_ids": []}


def test_a_whole_network_director_sees_every_clinic(client: TestClient, session: Session, world: World) -> None:
    assert scope.visible_clinic_ids(session, world.users["whole"]) is scope.ALL
    as_user(client, world.logins["whole"])
    page = client.get("/reports")
    assert EMPTY not in page.text and "North clinic" in page.text  # the one clinic with approved audits
    assert client.get(f"/reports/clinics/{world.clinic_b.id}").status_code == 200
    assert client.get(f"/media/{world.approved_photo.id}").status_code == 200
    assert client.get(f"/downloads/{world.jobs['whole'].id}/file").status_code == 200
    as_user(client, world.logins["whole"], api=True)
    listed = {c["name"] for c in client.get("/api/v1/clinics").json()}
    assert set(CLINICS) <= listed
    assert client.get("/api/v1/me").json()["scope"]["whole_network"] is True


def test_a_regional_director_sees_only_their_region(client: TestClient, session: Session, world: World) -> None:
    assert scope.visible_clinic_ids(session, world.users["director"]) == {world.clinic_a.id, world.competitor.id}
    as_user(client, world.logins["director"])
    page = client.get("/reports")
    assert EMPTY not in page.text and "North clinic" in page.text and "South clinic" not in page.text
    assert client.get(f"/reports/clinics/{world.clinic_b.id}").status_code == 404


def test_a_closed_wave_digest_skips_the_unscoped_director(session: Session) -> None:
    net = build_network(session)
    nobody = make_user(session, Role.director, language="en")
    wave = waves.create_wave(session, name="2026 Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 10, 10))
    approve(session, submitted_audit(session, shopper=net.shopper, clinic=net.north, wave=wave), net.qa)

    schedule.announce_closed_waves(session, now=datetime(2026, 10, 13, 9, 0, tzinfo=UTC))

    assert told(session, nobody.id, Event.wave_closed) == []
    [everyone] = told(session, net.director_all.id, Event.wave_closed)
    assert [c["name"] for c in everyone.params["clinics"]] == ["North branch"]


def _as_admin(client: TestClient, session: Session) -> User:
    admin = make_user(session, Role.admin)
    sign_in(client, admin.email, PASSWORD)
    client.headers["Accept-Language"] = "en"
    return admin


def test_the_admin_form_sets_and_clears_the_whole_network_flag(client: TestClient, session: Session) -> None:
    admin = _as_admin(client, session)
    page = client.get("/admin/users/new")
    assert 'name="whole_network"' in page.text

    created = client.post("/admin/users", data={
        "email": "all@example.test", "role": "director", "password": "a long enough password",
        "access": "password", "whole_network": "true", "csrf_token": csrf_from(page.text)})

    assert created.status_code == 303
    director = accounts.find_user(session, "all@example.test")
    assert director is not None and director.whole_network
    assert "Whole network" in client.get("/admin/users").text
    edit = client.get(f"/admin/users/{director.id}")
    assert 'name="whole_network" value="true" checked' in edit.text

    cleared = client.post(f"/admin/users/{director.id}", data={"name": "", "role": "director",
                                                               "csrf_token": csrf_from(edit.text)})

    assert cleared.status_code == 303
    session.refresh(director)
    assert not director.whole_network
    assert scope.visible_clinic_ids(session, director) == set()
    event = session.exec(select(TrailEvent).where(TrailEvent.entity_id == director.id,
                                                  TrailEvent.verb == "user.update")).one()
    assert event.actor_id == admin.id and event.detail["whole_network"] is False


def test_the_admin_form_refuses_the_whole_network_together_with_regions(client: TestClient,
                                                                        session: Session) -> None:
    _as_admin(client, session)
    director = make_user(session, Role.director, whole_network=True)
    region = make_region(session)
    edit = client.get(f"/admin/users/{director.id}")

    response = client.post(f"/admin/users/{director.id}", data={
        "name": "", "role": "director", "whole_network": "true", "region_ids": [str(region.id)],
        "csrf_token": csrf_from(edit.text)})

    assert response.status_code == 422
    assert "either the whole network or regions and clinics" in response.text
    session.refresh(director)
    assert director.whole_network and accounts.scope_of(session, director) == ([], [])


def test_the_flag_is_for_directors_only(session: Session) -> None:
    with pytest.raises(accounts.BadScope):
        make_user(session, Role.qa_lead, whole_network=True)
    clinic = make_clinic(session)
    with pytest.raises(accounts.WholeNetworkAndScope):
        make_user(session, Role.director, whole_network=True, clinic_ids=[clinic.id])


def test_migration_0015_keeps_todays_access_for_existing_unscoped_directors(tmp_path: Path) -> None:
    """Upgrading takes nobody's access away: directors without scope rows get the flag; a director
    with a region, and other roles, do not."""
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        migrate(url, "0012")
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO regions (id, name) VALUES (1, 'North')"))
            for n, role in enumerate(("director", "director", "qa_lead", "manager"), start=1):
                connection.execute(sa.text(
                    "INSERT INTO users (id, email, name, role, password_hash, active, created_at, password_changed_at)"
                    " VALUES (:id, :email, '', :role, 'x', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": n, "email": f"u{n}@example.test", "role": role})
            connection.execute(sa.text("INSERT INTO director_regions (user_id, region_id) VALUES (2, 1)"))
        migrate(url)
        with engine.connect() as connection:
            flags = dict(connection.execute(sa.text("SELECT id, whole_network FROM users ORDER BY id")).all())
        engine.dispose()

    assert {k: bool(v) for k, v in flags.items()} == {1: True, 2: False, 3: False, 4: False}
