"""Each clinic keeps its own clock (docs/design.md §3): two clinics at the network's ends, Kaliningrad
(UTC+2) and Vladivostok (UTC+10), seen at one instant on either side of one of their midnights.

"Now" is the request's `current_time` dependency (overridden here) and the `now` argument of the
domain functions; the stored instants are UTC and only their display and their days differ.
"""

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.accounts import tokens
from app.accounts.models import Role, User
from app.actions import service as actions
from app.actions.models import Action
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, AuditStatus
from app.notifications import schedule
from app.notifications.models import Notification
from app.web.paging import PageRequest
from tests.actions.conftest import World, approved_visit, make_world
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.helpers import make_audit
from tests.web import log_in

DUE = date(2026, 10, 15)
# 21:30 UTC on the 15th: 23:30 in Kaliningrad (still the 15th), 07:30 on the 16th in Vladivostok.
BEFORE_KALININGRAD_MIDNIGHT = datetime(2026, 10, 15, 21, 30, tzinfo=UTC)
# 14:30 UTC on the 15th: 00:30 on the 16th in Vladivostok, 16:30 on the 15th in Kaliningrad.
AFTER_VLADIVOSTOK_MIDNIGHT = datetime(2026, 10, 15, 14, 30, tzinfo=UTC)
WEST, EAST = "Europe/Kaliningrad", "Asia/Vladivostok"


@pytest.fixture
def at_instant(client: TestClient) -> Iterator[object]:
    """Sets the app's clock: `at_instant(moment)` makes every request's "now" that moment."""
    from app.main import app

    def stand_at(moment: datetime) -> None:
        app.dependency_overrides[time_zones.current_time] = lambda: moment

    yield stand_at
    app.dependency_overrides.pop(time_zones.current_time, None)


def _two_clinics(session: Session) -> tuple[Clinic, Clinic]:
    return make_clinic(session, name="Kaliningrad", time_zone=WEST), make_clinic(session, name="Vladivostok",
                                                                               time_zone=EAST)


def _bearer(session: Session, user: User) -> dict[str, str]:
    _token, plain = tokens.create_token(session, user=user)
    return {"Authorization": f"Bearer {plain}"}


def _action(session: Session, world: World, clinic: Clinic) -> Action:
    owner = make_user(session, Role.manager, clinic_id=clinic.id)
    return actions.create_action(session, user=world.qa, data=actions.ActionInput(
        clinic_id=clinic.id or 0, title=f"Fix {clinic.name}", owner_id=owner.id, due_on=DUE, kind="idea"))


def test_the_clock_gives_each_clinic_its_own_day_and_wall_time(session: Session) -> None:
    west, east = _two_clinics(session)

    assert time_zones.today_at(west, BEFORE_KALININGRAD_MIDNIGHT) == DUE
    assert time_zones.today_at(east, BEFORE_KALININGRAD_MIDNIGHT) == DUE + timedelta(days=1)
    assert time_zones.local(BEFORE_KALININGRAD_MIDNIGHT, east).strftime("%H:%M") == "07:30"
    assert time_zones.zone_of(make_clinic(session)).key == "Europe/Moscow"  # none of its own: the default
    # Summer time: Berlin's wall clock is an hour further from UTC after the last Sunday of March.
    berlin = make_clinic(session, time_zone="Europe/Berlin")
    assert time_zones.from_local(datetime(2026, 3, 28, 23, 30), berlin) == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    assert time_zones.from_local(datetime(2026, 3, 30, 23, 30), berlin) == datetime(2026, 3, 30, 21, 30, tzinfo=UTC)


def test_an_action_due_today_is_overdue_only_where_the_day_is_over(
        client: TestClient, session: Session, at_instant: object) -> None:
    world = make_world(session)
    west, east = _two_clinics(session)
    in_west, in_east = _action(session, world, west), _action(session, world, east)
    director = make_user(session, Role.director, whole_network=True)
    headers = _bearer(session, director)
    at_instant(BEFORE_KALININGRAD_MIDNIGHT)  # type: ignore[operator]

    listed = client.get("/api/v1/actions", headers=headers).json()
    only_overdue = client.get("/api/v1/actions", params={"overdue": "true"}, headers=headers).json()
    one = client.get(f"/api/v1/actions/{in_west.id}", headers=headers).json()
    log_in(client, director.email, PASSWORD)
    west_page = client.get(f"/actions/{in_west.id}").text
    east_page = client.get(f"/actions/{in_east.id}").text
    board = client.get("/actions", params={"overdue": "1"}).text

    flags = {row["id"]: row["overdue"] for row in listed}
    assert flags[in_west.id] is False and flags[in_east.id] is True
    assert [row["id"] for row in only_overdue] == [in_east.id]
    assert one["overdue"] is False
    assert "badge bad overdue" in east_page and "badge bad overdue" not in west_page
    assert "Fix Vladivostok" in board and "Fix Kaliningrad" not in board


def test_past_vladivostok_midnight_only_its_owner_hears_the_action_is_overdue(session: Session) -> None:
    world = make_world(session)
    west, east = _two_clinics(session)
    in_west, in_east = _action(session, world, west), _action(session, world, east)

    schedule.remind_actions(session, now=AFTER_VLADIVOSTOK_MIDNIGHT)

    keys = set(session.exec(select(Notification.dedupe_key)).all())
    assert f"action_overdue:action:{in_east.id}:overdue:{DUE.isoformat()}" in keys
    assert f"action_due:action:{in_west.id}:due:{DUE.isoformat()}" in keys  # due today in Kaliningrad
    assert f"action_overdue:action:{in_west.id}:overdue:{DUE.isoformat()}" not in keys


def test_a_window_ending_today_is_late_only_on_the_wave_board_of_the_clinic_past_its_midnight(
        client: TestClient, session: Session, at_instant: object) -> None:
    west, east = _two_clinics(session)
    on_time, late = make_audit(session, clinic=west), make_audit(session, clinic=east)  # windows end on the 15th
    qa = make_user(session, Role.qa_lead)
    at_instant(BEFORE_KALININGRAD_MIDNIGHT)  # type: ignore[operator]
    log_in(client, qa.email, PASSWORD)

    page = client.get(f"/waves/{on_time.wave_id}").text + client.get(f"/waves/{late.wave_id}").text

    def card(audit: Audit) -> str:
        start = page.index(f'id="assignment-{audit.assignment_id}"')
        return page[start:page.index("</li>", start)]

    assert 'badge bad late' in card(late) and 'badge bad late' not in card(on_time)


@pytest.mark.parametrize(("zone", "stored_utc"), [(WEST, datetime(2026, 10, 15, 21, 30, tzinfo=UTC)),
                                                 (EAST, datetime(2026, 10, 15, 13, 30, tzinfo=UTC))])
def test_a_visit_time_typed_as_2330_is_the_clinics_2330_stored_in_utc_and_shown_back(
        client: TestClient, session: Session, zone: str, stored_utc: datetime) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_audit(session, shopper=shopper, clinic=make_clinic(session, time_zone=zone))
    log_in(client, shopper.email, PASSWORD)

    saved = client.post(f"/visits/{audit.id}/times", data={"started_at": "2026-10-15T23:30",
                                                           "ended_at": "2026-10-15T23:55"})
    page = client.get(f"/visits/{audit.id}").text

    assert saved.status_code == 303
    session.refresh(audit)
    assert audit.visit_started_at == stored_utc
    assert 'value="2026-10-15T23:30"' in page and 'value="2026-10-15T23:55"' in page
    assert f"Clinic time ({zone})." in page

    audit.status, audit.submitted_at, audit.submission_count = AuditStatus.submitted, stored_utc, 1
    session.add(audit)
    qa = make_user(session, Role.qa_lead)
    session.commit()
    client.cookies.clear()
    log_in(client, qa.email, PASSWORD)
    review = client.get(f"/review/audits/{audit.id}").text
    assert '<dd id="visit-started">2026-10-15 23:30</dd>' in review
    assert '<dd id="visit-ended">2026-10-15 23:55</dd>' in review


def test_the_now_button_takes_the_apps_clock(client: TestClient, session: Session, at_instant: object) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_audit(session, shopper=shopper, clinic=make_clinic(session, time_zone=EAST))
    log_in(client, shopper.email, PASSWORD)
    at_instant(AFTER_VLADIVOSTOK_MIDNIGHT)  # type: ignore[operator]

    client.post(f"/visits/{audit.id}/times", data={"now": "start"})

    session.refresh(audit)
    assert audit.visit_started_at == AFTER_VLADIVOSTOK_MIDNIGHT
    assert 'value="2026-10-16T00:30"' in client.get(f"/visits/{audit.id}").text


def _visited_before_kaliningrad_midnight(client: TestClient, session: Session) -> tuple[Clinic, Clinic]:
    """An approved visit in each zone at the same instant (the 15th in the west, the 16th in the east),
    seen by a director of the whole network."""
    world = make_world(session)
    west, east = _two_clinics(session)
    approved_visit(session, world, at=BEFORE_KALININGRAD_MIDNIGHT, clinic=west)
    approved_visit(session, world, at=BEFORE_KALININGRAD_MIDNIGHT, clinic=east)
    director = make_user(session, Role.director, whole_network=True)
    log_in(client, director.email, PASSWORD)
    return west, east


def test_the_clinic_report_dates_a_visit_by_the_clinics_day(client: TestClient, session: Session) -> None:
    west, east = _visited_before_kaliningrad_midnight(client, session)

    west_report = client.get(f"/reports/clinics/{west.id}").text
    east_report = client.get(f"/reports/clinics/{east.id}").text

    assert "1 approved visit, 2026-10-15 – 2026-10-15." in west_report
    assert "1 approved visit, 2026-10-16 – 2026-10-16." in east_report


def test_an_unknown_zone_is_refused_by_the_admin_form_and_nothing_is_saved(client: TestClient,
                                                                          session: Session) -> None:
    from tests.web import csrf_from

    admin = make_user(session, Role.admin)
    clinic = make_clinic(session, time_zone=WEST)
    log_in(client, admin.email, PASSWORD)
    form = client.get(f"/admin/clinics/{clinic.id}")
    fields = {"csrf_token": csrf_from(form.text), "name": clinic.name, "region_id": str(clinic.region_id),
              "active": "true"}

    refused = client.post(f"/admin/clinics/{clinic.id}", data=fields | {"time_zone": "Mars/Olympus_Mons"})
    session.refresh(clinic)
    kept = clinic.time_zone
    moved = client.post(f"/admin/clinics/{clinic.id}", data=fields | {"time_zone": " Asia/Vladivostok "})
    session.refresh(clinic)
    listed = client.get("/admin/clinics").text

    assert f'value="{WEST}"' in form.text and '<option value="Asia/Vladivostok">' in form.text
    assert refused.status_code == 422
    assert "Mars/Olympus_Mons is not a known time zone" in refused.text and 'id="e-time_zone"' in refused.text
    assert kept == WEST
    assert moved.status_code == 303 and clinic.time_zone == EAST
    assert f"<td data-label=\"Time zone\">{EAST}</td>" in listed


def test_the_clinics_api_takes_a_zone_and_refuses_an_unknown_one(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    headers = _bearer(session, admin)
    body = {"name": "East end", "region": "Far East"}

    made = client.post("/api/v1/clinics", headers=headers, json=body | {"time_zone": EAST})
    refused = client.post("/api/v1/clinics", headers=headers, json=body | {"name": "Nowhere",
                                                                           "time_zone": "Asia/Atlantis"})
    listed = {row["name"]: row for row in client.get("/api/v1/clinics", headers=headers).json()}

    assert made.status_code == 201
    assert made.json()["time_zone"] == EAST and made.json()["effective_time_zone"] == EAST
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["detail"]] == ["time_zone"]
    assert "Nowhere" not in listed and listed["East end"]["time_zone"] == EAST


def test_an_unknown_default_zone_stops_the_app_at_start_up() -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="MP_DEFAULT_TIME_ZONE 'Moscow' is not an IANA time zone"):
        Settings(default_time_zone="Moscow")
    assert Settings(default_time_zone="Asia/Vladivostok").default_time_zone == "Asia/Vladivostok"


def test_a_visit_on_the_windows_last_evening_is_inside_it_in_the_west_and_after_it_in_the_east(
        session: Session) -> None:
    from app.fieldwork import visits
    from app.validity.facts import gather_facts

    west, east = _two_clinics(session)
    days = {}
    for clinic in (west, east):
        audit = make_audit(session, clinic=clinic)  # the window ends on the 15th
        shopper = session.get(User, audit.shopper_id)
        visits.set_visit_times(session, audit=audit, started_at=BEFORE_KALININGRAD_MIDNIGHT,
                               ended_at=BEFORE_KALININGRAD_MIDNIGHT + timedelta(minutes=20), actor=shopper)
        days[clinic.name] = gather_facts(session, audit, near_bits=0).visit.days_outside

    assert days == {"Kaliningrad": 0, "Vladivostok": 1}


def test_a_shoppers_earnings_date_each_visit_by_its_clinics_day(session: Session) -> None:
    from app.money import ledger
    from tests.money.helpers import submitted_visit

    shopper = make_user(session, Role.shopper)
    west, east = _two_clinics(session)
    for clinic in (west, east):
        audit = submitted_visit(session, shopper=shopper, clinic=clinic)
        audit.visit_started_at = BEFORE_KALININGRAD_MIDNIGHT
        session.add(audit)
    session.flush()

    rows = ledger.earnings_page(session, shopper=shopper, page=PageRequest()).rows

    assert sorted((row.clinic, row.visit_date) for row in rows) == [
        ("Kaliningrad", DUE), ("Vladivostok", DUE + timedelta(days=1))]


def test_the_workbook_shows_each_visit_on_its_clinics_clock(client: TestClient, session: Session) -> None:
    west, east = _visited_before_kaliningrad_midnight(client, session)

    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").content))

    started = {row[3]: row[6] for row in book["Audits"].iter_rows(min_row=2, values_only=True)}
    assert started == {"Kaliningrad": datetime(2026, 10, 15, 23, 30), "Vladivostok": datetime(2026, 10, 16, 7, 30)}
