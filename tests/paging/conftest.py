"""A few thousand rows in one transaction (SQL Core bulk inserts on top of factory-made anchors), and
walkers that follow a list's next links through the real app: the API's Link header, a page's link."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.actions.models import Action, ActionStatus
from app.checklists.versions import latest_version
from app.clinics.models import Clinic
from app.fieldwork.models import Assignment, Audit, AuditStatus, Wave
from app.mail.models import MailStatus, OutgoingMail
from tests.factories import make_clinic, make_region, make_user
from tests.fieldwork.helpers import make_wave, publish_checklist
from tests.speed.test_statement_counts import counted

ROWS = 2400  # assignments; every third one submitted (the review queue)
WAVES = 450
CLINICS = 300


@dataclass
class World:
    shopper: User
    clinics: list[int]
    waves: list[int]
    assignments: list[int]  # live ones, ids
    submitted: list[int]  # audit ids in the review queue
    wave: int  # the wave of every assignment
    region: str  # of every bulk clinic


@pytest.fixture
def world(session: Session) -> World:
    """Thousands of rows with many ties in each sort key (same date, same submit time), so only the
    primary key at the end of every order keeps pages apart."""
    publish_checklist(session)
    version = latest_version(session, "test-clinic")
    shopper = make_user(session, Role.shopper)
    region = make_region(session)
    anchor = make_wave(session)
    make_clinic(session, region=region)
    session.execute(insert(Clinic), [
        {"name": f"Bulk clinic {n:04}", "region_id": region.id, "city": "Moscow", "is_competitor": n % 7 == 0,
         "active": True} for n in range(CLINICS)])
    session.execute(insert(Wave), [
        {"name": f"Bulk wave {n:04}", "starts_on": date(2026, 1, 1) + timedelta(days=n % 40),
         "ends_on": date(2026, 12, 31), "visits_per_clinic": 1, "created_at": datetime.now(UTC)}
        for n in range(WAVES)])
    clinic_ids = list(session.exec(select(Clinic.id).order_by(col(Clinic.id))).all())
    now = datetime.now(UTC)
    session.execute(insert(Assignment), [
        {"wave_id": anchor.id, "clinic_id": clinic_ids[n % len(clinic_ids)], "checklist_version_id": version.id,
         "shopper_id": shopper.id, "window_start": None,
         "window_end": None if n % 11 == 0 else date(2026, 10, 1) + timedelta(days=n % 30),
         "created_at": now} for n in range(ROWS)])
    assignment_rows = session.exec(select(Assignment.id, Assignment.clinic_id).where(
        Assignment.shopper_id == shopper.id).order_by(col(Assignment.id))).all()
    session.execute(insert(Audit), [
        {"assignment_id": assignment_id, "wave_id": anchor.id, "clinic_id": clinic_id,
         "checklist_version_id": version.id, "shopper_id": shopper.id,
         "status": AuditStatus.submitted if n % 3 == 0 else AuditStatus.draft,
         "submission_count": 1 if n % 3 == 0 else 0,
         "submitted_at": now - timedelta(minutes=n % 50) if n % 3 == 0 else None,
         "created_at": now, "updated_at": now}
        for n, (assignment_id, clinic_id) in enumerate(assignment_rows)])
    session.commit()
    submitted = list(session.exec(select(Audit.id).where(Audit.status == AuditStatus.submitted)).all())
    return World(shopper=shopper, clinics=[c for c in clinic_ids if c], waves=list(
        session.exec(select(Wave.id)).all()), assignments=[a for a, _ in assignment_rows], submitted=submitted,
        wave=anchor.id or 0, region=region.name)


USERS = 500
MAILS = 400
ACTIONS = 1500


@dataclass
class Office:
    admin: User
    users: list[int]  # every user, the admin and the world's included
    mails: list[int]
    actions: list[int]
    by_status: dict[str, list[int]]


@pytest.fixture
def office(session: Session, world: World) -> Office:
    """Hundreds of users and mails, thousands of actions (statuses, due dates past and future, undated)
    on top of `world`. Users share one password hash: hashing hundreds would take seconds."""
    admin = make_user(session, Role.admin)
    roles = [Role.shopper, Role.qa_lead, Role.director, Role.admin]
    session.execute(insert(User), [
        {"email": f"bulk{n:04}@example.test", "name": f"Bulk {n}", "role": roles[n % len(roles)],
         "password_hash": admin.password_hash, "active": n % 13 != 0} for n in range(USERS)])
    session.execute(insert(OutgoingMail), [
        {"to_address": f"bulk{n % 50}@example.test", "event": "bulk", "dedupe_key": f"bulk-{n}", "language": "en",
         "message_id": f"<bulk-{n}@example.test>", "subject": f"Bulk mail {n}", "text_body": "-", "html_body": "-",
         "status": [MailStatus.queued, MailStatus.sent, MailStatus.failed][n % 3]} for n in range(MAILS)])
    today = datetime.now(UTC).date()
    statuses = [ActionStatus.open, ActionStatus.in_progress, ActionStatus.done, ActionStatus.verified]
    session.execute(insert(Action), [
        {"clinic_id": world.clinics[n % len(world.clinics)], "title": f"Bulk action {n}", "description": "",
         "kind": "gap", "owner_id": admin.id, "created_by_id": admin.id, "status": statuses[n % 7 % 4],
         "due_on": None if n % 9 == 0 else today + timedelta(days=n % 21 - 10), "regressions": 0}
        for n in range(ACTIONS)])
    session.commit()
    actions = session.exec(select(Action.id, Action.status)).all()
    by_status: dict[str, list[int]] = {}
    for action_id, status in actions:
        by_status.setdefault(status, []).append(action_id or 0)
    return Office(admin=admin, users=[u for u in session.exec(select(User.id)).all() if u],
                  mails=[m for m in session.exec(select(OutgoingMail.id)).all() if m],
                  actions=[a for a, _ in actions if a], by_status=by_status)


NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


def walk_api(client: TestClient, url: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
    """Each page of an API list, following `Link: rel="next"` to the end."""
    response = client.get(url, params=params) if params else client.get(url)  # params={} drops the URL's
    while True:
        assert response.status_code == 200, response.text
        yield response.json()
        found = NEXT_LINK.search(response.headers.get("Link", ""))
        if found is None:
            return
        response = client.get(found.group(1))


PAGE_NEXT = re.compile(r'href="([^"]+)" rel="next"')


def next_page_url(html: str) -> str | None:
    found = PAGE_NEXT.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk_pages(client: TestClient, url: str, row: re.Pattern[str]) -> Iterator[list[str]]:
    """The rows (`row`'s first group) of each page of an HTML list, following its Next page link."""
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        yield row.findall(response.text)
        next_url = next_page_url(response.text)


def list_query_has_limit(engine: Engine, session: Session, client: TestClient, url: str, table: str) -> list[str]:
    """The list statements of one request that read `table`: the ordered SELECTs (a lookup by key or a
    COUNT has no ORDER BY). The caller asserts each carries a LIMIT."""
    with counted(engine, session) as statements:
        assert client.get(url).status_code == 200
    reading = [s for s in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s
               and "ORDER BY" in s.upper()]
    assert reading, f"no ordered statement read {table}"
    return reading
