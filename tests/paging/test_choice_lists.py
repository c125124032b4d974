"""Form choice lists over tables that grow with the network (app/web/choices.py): a page, a search,
what is chosen kept; never the whole table."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.clinics.models import Clinic
from app.web.choices import CHOICE_LIMIT
from tests.factories import PASSWORD, make_clinic, make_region, make_user
from tests.paging.conftest import Office, World, list_query_has_limit
from tests.web import log_in

LIMITED = re.compile(r"\bLIMIT\b")


def _select(html: str, field_id: str) -> str:
    found = re.search(rf'<select id="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select #{field_id}"
    return found.group(1)


def _values(options: str) -> list[str]:
    return [value for value in re.findall(r'<option value="(\d+)"', options)]


def _texts(options: str) -> list[str]:
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', options)


@pytest.fixture
def as_admin(client: TestClient, office: Office) -> TestClient:
    return log_in(client, office.admin.email, PASSWORD)


def test_the_review_queue_offers_a_page_of_clinics_and_a_search_for_the_rest(as_admin: TestClient,
                                                                                world: World) -> None:
    html = as_admin.get("/review").text

    clinics = _select(html, "filter-clinic")
    assert len(_values(clinics)) == CHOICE_LIMIT
    assert "type in the search box" in clinics
    assert 'id="filter-clinic-q"' in html and 'name="clinic_q"' in html


def test_without_javascript_the_search_box_narrows_the_choices_on_the_page(as_admin: TestClient,
                                                                             world: World) -> None:
    html = as_admin.get("/review", params={"clinic_q": "bulk CLINIC 0299"}).text

    clinics = _select(html, "filter-clinic")
    assert _texts(clinics) == [f"Bulk clinic 0299 ({world.region})"]  # the region tells same names apart
    assert 'value="bulk CLINIC 0299"' in html  # the box keeps what was typed


def test_a_chosen_clinic_outside_the_first_page_stays_offered_and_selected(as_admin: TestClient,
                                                                             world: World) -> None:
    last = world.clinics[-1]

    html = as_admin.get("/review", params={"clinic": str(last)}).text

    assert f'<option value="{last}" selected>' in _select(html, "filter-clinic")


def test_the_search_endpoint_answers_matching_options_keeping_the_chosen(as_admin: TestClient,
                                                                          world: World) -> None:
    chosen = world.clinics[0]

    response = as_admin.get("/choices/clinics", params={"q": "clinic 012", "field": "clinic",
                                                          "clinic": str(chosen), "blank": "All"})

    assert response.status_code == 200
    names = re.findall(r"<option value=\"(\d*)\"[^>]*>([^<]+)</option>", response.text)
    assert names[0] == ("", "All")
    found = [name for _value, name in names[1:]]
    assert f'<option value="{chosen}" selected>' in response.text  # chosen, though it does not match
    assert [name for name in found if name.startswith("Bulk")] == [f"Bulk clinic 012{n} ({world.region})"
                                                                   for n in range(10)]


def test_search_folds_case_in_every_alphabet_and_treats_wildcards_as_text(as_admin: TestClient, session: Session,
                                                                          world: World) -> None:
    region = make_region(session, name="Юг")
    make_clinic(session, name="Клиника «Южная»", region=region)
    make_clinic(session, name="Dental 100% smile", region=region)
    session.commit()

    south = as_admin.get("/choices/clinics", params={"q": "КЛИНИКА «ЮЖ"}).text
    percent = as_admin.get("/choices/clinics", params={"q": "100%"}).text
    underscore = as_admin.get("/choices/clinics", params={"q": "_"}).text

    assert "Клиника «Южная»" in south
    assert _texts(percent) == ["Dental 100% smile (Юг)"]
    assert "Nothing matches the search" in underscore


def test_shopper_choices_search_names_and_emails(as_admin: TestClient, office: Office) -> None:
    by_email = as_admin.get("/choices/shoppers", params={"q": "BULK0004@"}).text
    page = as_admin.get("/review").text

    assert _texts(by_email) == ["Bulk 4"]
    assert len(_values(_select(page, "filter-shopper"))) == CHOICE_LIMIT


@pytest.mark.parametrize("kind", ["clinics", "shoppers", "waves", "regions"])
def test_choices_are_for_the_office_only(client: TestClient, session: Session, kind: str) -> None:
    shopper = log_in(client, make_user(session, Role.shopper).email, PASSWORD)

    assert shopper.get(f"/choices/{kind}").status_code == 403


def test_an_unknown_kind_is_not_found_and_a_stranger_must_log_in(client: TestClient, session: Session) -> None:
    assert client.get("/choices/clinics", follow_redirects=False).status_code in (303, 401)
    log_in(client, make_user(session, Role.admin).email, PASSWORD)

    assert client.get("/choices/passwords").status_code == 404


def test_a_director_is_offered_only_the_branches_in_scope(client: TestClient, session: Session,
                                                          world: World) -> None:
    region = make_region(session, name="Far East")
    mine = make_clinic(session, name="Vladivostok branch", region=region)
    director = make_user(session, Role.director, region_ids=[region.id])
    session.commit()
    log_in(client, director.email, PASSWORD)

    offered = re.findall(r'<option value="(\d+)"', client.get("/choices/branches").text)

    assert offered == [str(mine.id)]
    assert client.get("/choices/clinics").status_code == 403


@pytest.mark.parametrize(("url", "table"), [
    ("/review", "clinics"), ("/review", "waves"), ("/review", "users"),
    ("/admin/users/new", "clinics"), ("/admin/users/new", "regions"), ("/admin/clinics/new", "regions"),
    ("/waves/{wave}", "users"), ("/board/manage", "waves"), ("/board/manage", "clinics"),
    ("/board/manage", "users"), ("/reports/drivers", "clinics"), ("/reports/drivers", "regions"),
    ("/review/validity/rules/{wave}", "waves"), ("/reports/clinics/{clinic}", "waves"), ("/costs", "waves"),
])
def test_choice_lists_read_limited_pages(engine: Engine, session: Session, as_admin: TestClient, url: str,
                                         table: str, world: World) -> None:
    reading = list_query_has_limit(engine, session, as_admin, url.format(wave=world.wave, clinic=world.clinics[0]),
                                   table)

    assert all(LIMITED.search(statement) for statement in reading), reading


def test_every_bulk_clinic_is_reachable_through_the_search(as_admin: TestClient, session: Session,
                                                           world: World) -> None:
    names = session.exec(select(Clinic.name).where(col(Clinic.id).in_(world.clinics[-5:]))).all()

    for name in names:
        assert name in as_admin.get("/choices/clinics", params={"q": name}).text


def test_a_many_of_field_keeps_its_ticked_boxes_through_a_search(as_admin: TestClient, world: World) -> None:
    ticked = world.clinics[0]

    response = as_admin.get("/choices/clinics", params={"q": "clinic 0123", "field": "clinic", "style": "checks",
                                                          "clinic": str(ticked)})

    assert f'name="clinic" value="{ticked}" checked>' in response.text
    assert response.text.count('type="checkbox"') == 2


def test_the_wave_board_offers_a_page_of_shoppers_with_a_search(as_admin: TestClient, office: Office,
                                                                 world: World) -> None:
    html = as_admin.get(f"/waves/{world.wave}").text

    assert 'id="assign-shoppers-q"' in html
    boxes = re.search(r'<div id="assign-shoppers"[^>]*>(.*?)</div>', html, re.S)
    assert boxes and boxes.group(1).count('type="checkbox"') <= CHOICE_LIMIT + 1  # + the page's own shopper


def test_a_bad_choice_style_or_an_overlong_search_is_a_clear_400(as_admin: TestClient, world: World) -> None:
    assert as_admin.get("/choices/clinics", params={"style": "table"}).status_code in (400, 422)
    assert as_admin.get("/choices/clinics", params={"q": "x" * 1001}).status_code in (400, 422)


def test_action_owners_are_read_for_the_clinic_in_one_query(engine: Engine, session: Session, world: World,
                                                            office: Office) -> None:
    from app.actions.service import eligible_owners
    from tests.speed.test_statement_counts import counted

    clinic = session.get(Clinic, world.clinics[0])
    assert clinic is not None
    manager = make_user(session, Role.manager, clinic_id=clinic.id)
    make_user(session, Role.manager)  # another clinic's
    director = make_user(session, Role.director, clinic_ids=[clinic.id])
    make_user(session, Role.director, clinic_ids=[world.clinics[1]])
    session.commit()

    with counted(engine, session) as statements:
        owners = eligible_owners(session, session.get(Clinic, world.clinics[0]))  # type: ignore[arg-type]

    assert len([s for s in statements if "FROM users" in s]) == 1
    ids = {owner.id for owner in owners}
    assert {manager.id, director.id} <= ids
    assert all(owner.role in ("admin", "qa_lead") or owner.id in (manager.id, director.id) for owner in owners)


@pytest.fixture
def reported(session: Session, world: World) -> tuple[int, list[int]]:
    """One clinic with an approved audit in each of CHOICE_LIMIT + 10 waves; another in one wave."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from app.fieldwork.models import Assignment, Audit, AuditStatus

    version = session.exec(select(Assignment.checklist_version_id).limit(1)).one()
    clinic, other = world.clinics[0], world.clinics[1]
    waves = world.waves[:CHOICE_LIMIT + 10]
    now = datetime.now(UTC)
    for wave_id, clinic_id in [(w, clinic) for w in waves] + [(world.waves[-1], other)]:
        assignment = session.execute(insert(Assignment).values(
            wave_id=wave_id, clinic_id=clinic_id, checklist_version_id=version, shopper_id=world.shopper.id,
            created_at=now)).inserted_primary_key[0]
        session.execute(insert(Audit).values(
            assignment_id=assignment, wave_id=wave_id, clinic_id=clinic_id, checklist_version_id=version,
            shopper_id=world.shopper.id, status=AuditStatus.approved, submission_count=1, submitted_at=now,
            created_at=now, updated_at=now))
    session.commit()
    return clinic, waves


def test_a_clinic_reports_wave_filter_searches_that_clinics_waves(as_admin: TestClient, session: Session,
                                                                  world: World,
                                                                  reported: tuple[int, list[int]]) -> None:
    clinic, waves = reported

    html = as_admin.get(f"/reports/clinics/{clinic}").text
    found = as_admin.get("/choices/reported-waves", params={"within": clinic, "q": "bulk wave"}).text

    offered = {int(v) for v in _values(_select(html, "f-wave"))}
    assert len(offered) == CHOICE_LIMIT and offered <= set(waves) and 'id="f-wave-q"' in html
    assert '"within": ' + str(clinic) in html.replace("&#34;", '"')
    assert world.waves[-1] not in {int(v) for v in _values(found)}  # the other clinic's wave
    assert len(_values(found)) == CHOICE_LIMIT  # 60 match: a page of them


def test_only_a_kind_that_allows_it_is_narrowed_to_a_clinic(as_admin: TestClient, world: World) -> None:
    assert as_admin.get("/choices/clinics", params={"within": world.clinics[0]}).status_code == 404
    assert as_admin.get("/choices/reported-waves", params={"within": "x"}).status_code == 422


def test_a_director_learns_no_wave_of_a_clinic_outside_the_scope(client: TestClient, session: Session,
                                                                 world: World,
                                                                 reported: tuple[int, list[int]]) -> None:
    clinic, _waves = reported
    log_in(client, make_user(session, Role.director, clinic_ids=[world.clinics[1]]).email, PASSWORD)

    found = client.get("/choices/reported-waves", params={"within": clinic})

    assert found.status_code == 200 and _values(found.text) == []
