"""The checklist list pages (page and API): one page of checklists, then their versions."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.accounts.models import Role, User
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import latest_version, save_version
from app.fieldwork.models import Scenario
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_user
from tests.paging.conftest import list_query_has_limit, walk_api, walk_pages
from tests.web import log_in

CHECKLISTS = 120


@pytest.fixture
def slugs(session: Session) -> list[str]:
    made = [f"bulk-{n:03}" for n in range(CHECKLISTS)]
    for slug in made:
        save_version(session, ChecklistDoc.model_validate(small_checklist(slug)))
    session.commit()
    return made


@pytest.fixture
def qa(client: TestClient, session: Session) -> User:
    user = make_user(session, Role.qa_lead)
    log_in(client, user.email, PASSWORD)
    return user


def test_the_checklists_api_walks_every_slug_once_in_order(client: TestClient, qa: User, slugs: list[str]) -> None:
    pages = list(walk_api(client, "/api/v1/checklists", limit=25))

    seen = [row["slug"] for page in pages for row in page]
    assert len(pages) == 5 and all(len(page) <= 25 for page in pages)
    assert seen == sorted(slugs)


def test_the_checklists_page_walks_every_slug_once(client: TestClient, qa: User, slugs: list[str]) -> None:
    pages = list(walk_pages(client, "/checklists?limit=25", re.compile(r'<span class="muted">(bulk-\d+)</span>')))

    assert [slug for page in pages for slug in page] == sorted(slugs)


def test_the_scenarios_page_walks_every_scenario_once_by_slug(client: TestClient, session: Session, qa: User,
                                                              slugs: list[str]) -> None:
    checklist_id = latest_version(session, slugs[0]).checklist_id
    session.execute(insert(Scenario), [
        {"slug": f"scenario-{n:03}", "checklist_id": checklist_id if n % 2 else None, "title": {"en": f"S {n}"},
         "persona": {}, "story": {}, "ask": {}, "avoid": {}, "active": True} for n in range(130)])
    session.commit()

    pages = list(walk_pages(client, "/scenarios?limit=30", re.compile(r'<span class="muted">(scenario-\d+)</span>')))

    assert [len(page) for page in pages] == [30, 30, 30, 30, 10]
    assert [slug for page in pages for slug in page] == [f"scenario-{n:03}" for n in range(130)]
    assert pages[0] and slugs[0] in client.get("/scenarios?limit=30").text  # the checklist of each named


def test_checklist_lists_read_limited_pages(engine: Engine, session: Session, client: TestClient, qa: User,
                                            slugs: list[str]) -> None:
    for url in ("/checklists?limit=10", "/api/v1/checklists?limit=10"):
        reading = list_query_has_limit(engine, session, client, url, "checklists")
        listing = [s for s in reading if " IN (" not in s]  # the page's own versions, by id
        assert listing and all(re.search(r"\bLIMIT\b", s) for s in listing), (url, reading)
