"""The visit board pages for the shopper (page and API) and for QA (docs/design.md §8, "Lists page")."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.accounts.models import Role
from app.checklists.versions import latest_version
from app.pool.models import BoardStatus, BoardVisit
from app.web.paging import MAX_LIMIT
from tests.factories import PASSWORD, make_user
from tests.fieldwork.helpers import make_wave
from tests.paging.conftest import World, list_query_has_limit, walk_api, walk_pages
from tests.web import log_in

VISITS = 700
CARD = re.compile(r'id="board-(\d+)"')


@pytest.fixture
def open_visits(session: Session, world: World) -> list[int]:
    wave = make_wave(session)
    checklist_id = latest_version(session, "test-clinic").checklist_id
    session.execute(insert(BoardVisit), [
        {"wave_id": wave.id, "clinic_id": world.clinics[n % len(world.clinics)], "checklist_id": checklist_id,
         "window_end": None if n % 8 == 0 else wave.starts_on, "status": BoardStatus.open if n % 10 else
         BoardStatus.withdrawn} for n in range(VISITS)])
    session.commit()
    return [v for v in session.exec(select(BoardVisit.id).where(BoardVisit.status == BoardStatus.open)).all() if v]


def test_the_shopper_walks_every_open_visit_once_through_the_api(client: TestClient, world: World,
                                                                 open_visits: list[int]) -> None:
    log_in(client, world.shopper.email, PASSWORD)

    pages = list(walk_api(client, "/api/v1/board", limit=MAX_LIMIT))

    seen = [row["id"] for page in pages for row in page]
    assert all(len(page) <= MAX_LIMIT for page in pages) and len(pages) == 4
    assert sorted(seen) == sorted(open_visits) and len(seen) == len(set(seen))
    assert [row["due_on"] is None for page in pages for row in page] == sorted(
        row["due_on"] is None for page in pages for row in page)  # undated last


def test_the_shopper_walks_the_board_page(client: TestClient, world: World, open_visits: list[int]) -> None:
    log_in(client, world.shopper.email, PASSWORD)

    pages = list(walk_pages(client, "/board?limit=150", CARD))

    seen = [int(card) for page in pages for card in page]
    assert all(len(page) <= 150 for page in pages)
    assert sorted(seen) == sorted(open_visits) and len(seen) == len(set(seen))


def test_qa_pages_the_open_visits_and_sees_their_full_count(client: TestClient, session: Session,
                                                             open_visits: list[int]) -> None:
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    pages = list(walk_pages(client, "/board/manage", CARD))
    first = client.get("/board/manage")

    assert f'<span class="badge">{len(open_visits)}</span>' in first.text
    seen = [int(card) for page in pages for card in page]
    assert sorted(seen) == sorted(open_visits) and len(seen) == len(set(seen))


def test_board_lists_read_limited_pages(engine: Engine, session: Session, client: TestClient, world: World,
                                        open_visits: list[int]) -> None:
    log_in(client, world.shopper.email, PASSWORD)

    for url in ("/board?limit=20", "/api/v1/board?limit=20"):
        reading = list_query_has_limit(engine, session, client, url, "board_visits")
        assert all(re.search(r"\bLIMIT\b", statement) for statement in reading), reading
