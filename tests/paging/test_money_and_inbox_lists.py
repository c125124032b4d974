"""Payout batches (page and API) and a user's notifications page through the real app."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.money.models import Payout
from app.notifications.models import Notification
from app.web.paging import DEFAULT_LIMIT, MAX_LIMIT
from tests.factories import PASSWORD, make_user
from tests.paging.conftest import list_query_has_limit, walk_api, walk_pages
from tests.web import log_in

BATCHES = 450
NOTIFICATIONS = 400


@pytest.fixture
def qa(session: Session) -> User:
    return make_user(session, Role.qa_lead)


@pytest.fixture
def batches(session: Session, qa: User) -> list[int]:
    made = datetime(2026, 1, 1, tzinfo=UTC)
    session.execute(insert(Payout), [
        {"up_to": date(2026, 1, 1) + timedelta(days=n % 60), "status": "open", "currency": "RUB",
         "entries": 0, "created_by_id": qa.id, "created_at": made + timedelta(hours=n % 45)} for n in range(BATCHES)])
    session.commit()
    return [p for p in session.exec(select(Payout.id)).all() if p]


@pytest.fixture
def inbox(session: Session, qa: User) -> list[int]:
    other = make_user(session, Role.qa_lead)
    session.execute(insert(Notification), [
        {"user_id": qa.id if n % 4 else other.id, "event": "visit_cancelled", "dedupe_key": f"bulk-{n}",
         "params": {"clinic": f"Clinic {n}", "wave": "Bulk"}, "link": "", "created_at": datetime.now(UTC)}
        for n in range(NOTIFICATIONS)])
    session.commit()
    return [n for n in session.exec(select(Notification.id).where(Notification.user_id == qa.id)).all() if n]


def test_payout_batches_walk_once_each_newest_first(client: TestClient, session: Session, qa: User,
                                                    batches: list[int]) -> None:
    log_in(client, qa.email, PASSWORD)
    newest_first = list(session.exec(select(Payout.id).order_by(col(Payout.created_at).desc(),
                                                                 col(Payout.id).desc())).all())

    pages = list(walk_api(client, "/api/v1/payouts", limit=MAX_LIMIT))
    on_pages = list(walk_pages(client, "/payouts", re.compile(r'href="[^"]*/payouts/(\d+)">#')))

    seen = [row["id"] for page in pages for row in page]
    assert sorted(seen) == sorted(batches) and len(seen) == len(set(seen))
    assert seen == newest_first  # many batches share a creation time: the id breaks the tie
    assert len(on_pages[0]) == DEFAULT_LIMIT
    assert [int(p) for page in on_pages for p in page] == seen


def test_notifications_walk_once_each_newest_first(client: TestClient, qa: User, inbox: list[int]) -> None:
    log_in(client, qa.email, PASSWORD)

    pages = list(walk_pages(client, "/notifications?limit=40", re.compile(r'id="notification-(\d+)"')))

    seen = [int(n) for page in pages for n in page]
    assert all(len(page) <= 40 for page in pages)
    assert seen == sorted(inbox, reverse=True)


def test_money_and_inbox_lists_read_limited_pages(engine: Engine, session: Session, client: TestClient, qa: User,
                                                  batches: list[int], inbox: list[int]) -> None:
    log_in(client, qa.email, PASSWORD)

    for url, table in (("/payouts", "payouts"), ("/api/v1/payouts", "payouts"),
                       ("/notifications", "notifications")):
        reading = list_query_has_limit(engine, session, client, url, table)
        assert all(re.search(r"\bLIMIT\b", statement) for statement in reading), (url, reading)
