"""The admin lists, the waves page, the action board and the clinics and actions API lists page
through the real app over hundreds to thousands of rows (docs/design.md §7, §8)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.actions.models import ActionStatus
from app.web.paging import DEFAULT_LIMIT, MAX_LIMIT
from tests.factories import PASSWORD
from tests.paging.conftest import Office, World, list_query_has_limit, walk_api, walk_pages
from tests.web import log_in

LIMITED = re.compile(r"\bLIMIT\b")


@pytest.fixture
def as_admin(client: TestClient, office: Office) -> TestClient:
    return log_in(client, office.admin.email, PASSWORD)


def _once_each(pages: list[list[str]], expected: list[int], limit: int) -> None:
    seen = [int(row) for page in pages for row in page]
    assert all(len(page) <= limit for page in pages)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert sorted(seen) == sorted(expected)


@pytest.mark.parametrize(("url", "row", "expected"), [
    ("/admin/users?limit=90", r'href="[^"]*/admin/users/(\d+)"', "users"),
    ("/admin/outbox?limit=70", r'href="[^"]*/admin/outbox/(\d+)"', "mails"),
])
def test_admin_lists_walk_every_row_once(as_admin: TestClient, office: Office, url: str, row: str,
                                         expected: str) -> None:
    pages = list(walk_pages(as_admin, url, re.compile(row)))

    assert len(pages) > 3
    _once_each(pages, getattr(office, expected), 90)


def test_admin_clinics_walk_branches_then_competitors(as_admin: TestClient, world: World) -> None:
    pages = list(walk_pages(as_admin, "/admin/clinics?limit=80", re.compile(r'href="[^"]*/admin/clinics/(\d+)"')))

    _once_each(pages, world.clinics, 80)


def test_waves_page_walks_every_wave_once(as_admin: TestClient, world: World) -> None:
    pages = list(walk_pages(as_admin, "/waves", re.compile(r'href="[^"]*/waves/(\d+)"')))

    assert len(pages[0]) == DEFAULT_LIMIT
    _once_each(pages, world.waves, DEFAULT_LIMIT)


def test_a_wave_board_pages_by_clinic_with_only_their_visits(as_admin: TestClient, world: World) -> None:
    pages = list(walk_pages(as_admin, f"/waves/{world.wave}?limit=60", re.compile(r'<tbody id="clinic-(\d+)"')))

    _once_each(pages, world.clinics, 60)


def test_shopper_quality_pages_active_shoppers_first(as_admin: TestClient, session: Session, office: Office,
                                                     world: World) -> None:
    from sqlmodel import select

    from app.accounts.models import Role, User
    shoppers = dict(session.exec(select(User.id, User.active).where(User.role == Role.shopper)).all())

    pages = list(walk_pages(as_admin, "/review/shoppers?limit=40", re.compile(r'<tr id="shopper-(\d+)">')))

    _once_each(pages, list(shoppers), 40)
    order = [shoppers[int(row)] for page in pages for row in page]
    assert order == sorted(order, reverse=True) and False in order  # the inactive ones last
    row = next(r for r in re.finditer(r'<tr id="shopper-(\d+)">(.*?)</tr>', as_admin.get(
        "/review/shoppers?limit=200").text, re.S) if int(r.group(1)) == world.shopper.id)
    assert '<td class="num">800</td>' in row.group(2)  # the page's aggregates still count all its audits


def test_users_page_keeps_the_role_filter_across_pages(as_admin: TestClient, office: Office) -> None:
    pages = list(walk_pages(as_admin, "/admin/users?role=director&limit=30",
                            re.compile(r'<td data-label="Role">([^<]+)</td>')))

    assert len(pages) > 1 and {role for page in pages for role in page} == {"Director"}


def test_the_action_board_caps_each_column_and_pages_one_on(as_admin: TestClient, office: Office) -> None:
    board = as_admin.get("/actions", params={"limit": "40"})
    card = re.compile(r'href="[^"]*/actions/(\d+)"><strong>')

    assert board.status_code == 200
    assert len(card.findall(board.text)) == 4 * 40
    assert f"{len(office.actions)} actions" in board.text
    more = re.findall(r'href="([^"]+)" rel="more"', board.text)
    assert len(more) == 4
    for status in ActionStatus:
        start = next(url.replace("&amp;", "&") for url in more if f"status={status.value}" in url)
        first_page = card.findall(board.text.split(f'id="col-{status.value}"')[1].split("</section>")[0])
        rest = list(walk_pages(as_admin, start, card))
        _once_each([first_page, *rest], office.by_status[status.value], 40)


def test_the_board_column_pages_in_place_for_htmx(as_admin: TestClient, office: Office) -> None:
    board = as_admin.get("/actions", params={"limit": "40"})
    url = re.findall(r'href="([^"]+)" rel="more"', board.text)[0].replace("&amp;", "&")

    column = as_admin.get(url, headers={"HX-Request": "true"})

    assert column.text.lstrip().startswith('<div id="action-board"')
    assert 'rel="first"' in column.text and "Whole board" in column.text


@pytest.mark.parametrize(("url", "expected"), [("/api/v1/actions", "actions"), ("/api/v1/clinics", "clinics")])
def test_api_lists_walk_every_row_once(as_admin: TestClient, office: Office, world: World, url: str,
                                       expected: str) -> None:
    pages = list(walk_api(as_admin, url, limit=MAX_LIMIT))

    ids = getattr(office, expected, None) or getattr(world, expected)
    _once_each([[str(row["id"]) for row in page] for page in pages], ids, MAX_LIMIT)


def test_actions_api_pages_overdue_first_then_by_due_date(as_admin: TestClient, office: Office) -> None:
    rows = [row for page in walk_api(as_admin, "/api/v1/actions", limit=MAX_LIMIT) for row in page]

    keys = [(not row["overdue"], row["due_on"] or "9999-12-31", row["id"]) for row in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("url", "table"), [
    ("/admin/users?limit=20", "users"), ("/admin/outbox?limit=20", "outgoing_mail"),
    ("/admin/clinics?limit=20", "clinics"), ("/waves?limit=20", "waves"), ("/actions?limit=20", "actions"),
    ("/waves/{wave}?limit=20", "clinics"), ("/review/shoppers?limit=20", "users"),
    ("/api/v1/actions?limit=20", "actions"), ("/api/v1/clinics?limit=20", "clinics"),
])
def test_each_list_reads_limited_pages(engine: Engine, session: Session, as_admin: TestClient, url: str,
                                       table: str, world: World) -> None:
    reading = list_query_has_limit(engine, session, as_admin, url.format(wave=world.wave), table)

    listing = [s for s in reading if "DISTINCT" not in s.upper()]  # filter choices: few distinct values
    assert listing and all(LIMITED.search(statement) for statement in listing), listing
