"""Every list page pages (docs/design.md §7): walked page by page through the real app."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.models import Role
from app.web.paging import DEFAULT_LIMIT, encode_cursor
from tests.factories import PASSWORD, make_user
from tests.paging.conftest import World, list_query_has_limit, next_page_url, walk_pages
from tests.web import log_in

QUEUE_ROW = re.compile(r'href="[^"]*/review/audits/(\d+)"')


@pytest.fixture
def as_qa(client: TestClient, session: Session, world: World) -> TestClient:
    return log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)


def test_review_queue_walks_every_waiting_audit_once_oldest_first(as_qa: TestClient, world: World) -> None:
    pages = list(walk_pages(as_qa, "/review?limit=120", QUEUE_ROW))

    seen = [int(audit_id) for page in pages for audit_id in page]
    assert all(0 < len(page) <= 120 for page in pages)
    assert sorted(seen) == sorted(world.submitted) and len(seen) == len(set(seen))


def test_review_queue_shows_the_full_count_and_the_default_page(as_qa: TestClient, world: World) -> None:
    response = as_qa.get("/review")

    assert f"{len(world.submitted)} reports waiting" in response.text
    assert len(QUEUE_ROW.findall(response.text)) == DEFAULT_LIMIT
    assert 'rel="first"' not in response.text


def test_review_queue_next_page_keeps_the_filters_and_offers_the_first(as_qa: TestClient, world: World) -> None:
    first = as_qa.get("/review", params={"validity": "unchecked", "limit": "10"})
    second_url = next_page_url(first.text)
    assert second_url is not None and "validity=unchecked" in second_url and "limit=10" in second_url

    second = as_qa.get(second_url, headers={"HX-Request": "true"})

    assert second.status_code == 200 and second.text.lstrip().startswith('<section id="queue">')
    assert 'rel="first" hx-get="/review?validity=unchecked&amp;limit=10"' in second.text
    assert not set(QUEUE_ROW.findall(first.text)) & set(QUEUE_ROW.findall(second.text))


@pytest.mark.parametrize("params", [{"cursor": "not-a-cursor"}, {"cursor": encode_cursor(["x", 1])},
                                    {"limit": "100000"}, {"limit": "abc"}])
def test_a_bad_page_link_is_a_400_page(as_qa: TestClient, params: dict[str, str]) -> None:
    response = as_qa.get("/review", params=params)

    assert response.status_code == 400
    assert "This page link is not valid" in response.text and "<html" in response.text


def test_review_queue_reads_one_limited_page(engine: Engine, session: Session, as_qa: TestClient) -> None:
    reading = list_query_has_limit(engine, session, as_qa, "/review?limit=20", "audits")

    assert all(re.search(r"\bLIMIT\b", statement) for statement in reading), reading
