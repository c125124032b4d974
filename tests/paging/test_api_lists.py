"""Every /api/v1 list pages (docs/design.md §8): walked through the real app over a few thousand rows."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.models import Role
from app.web.paging import DEFAULT_LIMIT, MAX_LIMIT, encode_cursor
from tests.factories import PASSWORD, make_user
from tests.paging.conftest import NEXT_LINK, World, list_query_has_limit, walk_api
from tests.web import log_in


@pytest.fixture
def as_qa(client: TestClient, session: Session, world: World) -> TestClient:
    return log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)


def test_assignments_walk_every_row_once_in_a_stable_order(as_qa: TestClient, world: World) -> None:
    pages = list(walk_api(as_qa, "/api/v1/assignments", limit=MAX_LIMIT))

    seen = [row["id"] for page in pages for row in page]
    assert all(len(page) <= MAX_LIMIT for page in pages)
    assert len(pages) == -(-len(world.assignments) // MAX_LIMIT)
    assert sorted(seen) == sorted(world.assignments) and len(seen) == len(set(seen))
    keys = [(row["due_on"] or "9999-12-31", row["id"]) for page in pages for row in page]
    assert keys == sorted(keys)  # undated last, ties by id


def test_a_shopper_walks_only_their_own_assignments(client: TestClient, session: Session, world: World) -> None:
    other = make_user(session, Role.shopper)
    log_in(client, other.email, PASSWORD)

    assert list(walk_api(client, "/api/v1/assignments")) == [[]]

    client.cookies.clear()
    log_in(client, world.shopper.email, PASSWORD)
    assert sum(len(page) for page in walk_api(client, "/api/v1/assignments", limit=MAX_LIMIT)) == len(
        world.assignments)


def test_waves_walk_every_row_once_latest_first(as_qa: TestClient, world: World) -> None:
    pages = list(walk_api(as_qa, "/api/v1/waves", limit=37))

    seen = [row["id"] for page in pages for row in page]
    assert all(len(page) <= 37 for page in pages) and len(pages[0]) == 37
    assert sorted(seen) == sorted(world.waves) and len(seen) == len(set(seen))
    keys = [(row["starts_on"], row["id"]) for page in pages for row in page]
    assert keys == sorted(keys, reverse=True)


def test_default_page_size_applies_when_limit_is_absent(as_qa: TestClient, world: World) -> None:
    response = as_qa.get("/api/v1/assignments")

    assert len(response.json()) == DEFAULT_LIMIT
    assert 'rel="next"' in response.headers["Link"]


def test_the_last_page_has_no_next_link(as_qa: TestClient, world: World) -> None:
    response = as_qa.get("/api/v1/waves", params={"limit": MAX_LIMIT})
    last = as_qa.get(NEXT_LINK.search(response.headers["Link"]).group(1))  # type: ignore[union-attr]
    last = as_qa.get(NEXT_LINK.search(last.headers["Link"]).group(1))  # type: ignore[union-attr]

    assert last.status_code == 200 and 0 < len(last.json()) <= MAX_LIMIT
    assert "Link" not in last.headers


def test_a_row_added_mid_walk_neither_repeats_nor_hides_others(as_qa: TestClient, session: Session,
                                                               world: World) -> None:
    first = as_qa.get("/api/v1/waves", params={"limit": 100})
    from tests.fieldwork.helpers import make_wave  # newest period: sorts before the cursor
    early = make_wave(session, name="Added mid-walk")
    session.commit()
    rest = list(walk_api(as_qa, NEXT_LINK.search(first.headers["Link"]).group(1)))  # type: ignore[union-attr]

    seen = [row["id"] for row in first.json()] + [row["id"] for page in rest for row in page]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(world.waves)  # the new wave sorts before the cursor: left for the next walk
    assert early.id not in seen


@pytest.mark.parametrize("limit", ["0", str(MAX_LIMIT + 1), "-3", "ten", "1e3", "٣"])
@pytest.mark.parametrize("url", ["/api/v1/assignments", "/api/v1/waves"])
def test_a_limit_out_of_range_is_a_400_saying_so(as_qa: TestClient, url: str, limit: str) -> None:
    response = as_qa.get(url, params={"limit": limit})

    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("cursor", ["garbage!", "e30", encode_cursor(["x", 1]), encode_cursor([1]),
                                    encode_cursor(["2026-13-01", 1]), encode_cursor([1, 2, 3]),
                                    encode_cursor(["2026-01-01", "1"]), encode_cursor(["2026-01-01", 2**70])])
@pytest.mark.parametrize("url", ["/api/v1/assignments", "/api/v1/waves"])
def test_a_tampered_cursor_is_a_400_saying_so(as_qa: TestClient, url: str, cursor: str) -> None:
    response = as_qa.get(url, params={"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(("url", "table"), [("/api/v1/assignments", "assignments"), ("/api/v1/waves", "waves")])
def test_an_api_list_reads_one_limited_page(engine: Engine, session: Session, as_qa: TestClient,
                                            url: str, table: str) -> None:
    reading = list_query_has_limit(engine, session, as_qa, f"{url}?limit=20", table)

    assert all(re.search(r"\bLIMIT\b", statement) for statement in reading), reading
