"""The lists of one person or one thing that used to be read whole: a shopper's own visits and money,
the phone's offline manifest, one action's history, "what we improved", one payout's entries, and
the names on the programme's cost. Thousands of rows, walked through the real app (docs/design.md §7)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User
from app.actions.models import Action, ActionEvent, ActionStatus
from app.checklists.versions import latest_version
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Assignment, Audit, AuditStatus
from app.fieldwork.offline import MAX_KEPT_VISITS
from app.money.models import EntryKind, EntryStatus, LedgerEntry, Payout
from app.web.paging import DEFAULT_LIMIT, encode_cursor
from tests.factories import PASSWORD, make_clinic, make_region, make_user
from tests.fieldwork.helpers import make_wave, publish_checklist
from tests.paging.conftest import NEXT_LINK, World, list_query_has_limit, walk_api, walk_pages
from tests.speed.test_statement_counts import counted
from tests.web import log_in

LIMITED = re.compile(r"\bLIMIT\b")
VISIT_CARD = re.compile(r'id="visit-(\d+)"')
ENTRY = re.compile(r'id="entry-(\d+)"')
EVENT = re.compile(r'id="event-(\d+)"')
IMPROVED = re.compile(r'id="improved-(\d+)"')
HISTORY = 1300
ENTRIES = 1200
GREENS = 1500


def _once_each_in_order(pages: list[list[str]], expected: list[int], limit: int) -> None:
    seen = [int(row) for page in pages for row in page]
    assert len(pages) > 3
    assert all(len(page) <= limit for page in pages)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert seen == expected


# ---- a shopper's own visits -------------------------------------------------------------------------

@pytest.fixture
def grouped(session: Session, world: World) -> list[int]:
    """The world's shopper's visits in every group: some drafts returned by QA, some started; the
    audit ids in the order the page shows them (returned, in progress, to do, submitted; then by
    visit window, undated last, then assignment)."""
    session.execute(update(Audit).where(Audit.status == AuditStatus.draft, col(Audit.id) % 17 == 0)
                    .values(status=AuditStatus.returned, submission_count=1))
    session.execute(update(Audit).where(Audit.status == AuditStatus.draft, col(Audit.id) % 13 == 0)
                    .values(visit_started_at=datetime.now(UTC)))
    session.execute(update(Audit).where(Audit.status == AuditStatus.submitted, col(Audit.id) % 5 == 0)
                    .values(status=AuditStatus.approved))
    session.commit()
    rows = session.exec(select(Audit.id, Audit.status, Audit.visit_started_at, Assignment.window_end, Assignment.id)
                        .join(Assignment, col(Assignment.id) == Audit.assignment_id)
                        .where(Assignment.shopper_id == world.shopper.id)).all()

    def rank(status: str, started: datetime | None) -> int:
        if status == AuditStatus.returned:
            return 0
        if status == AuditStatus.draft:
            return 1 if started else 2
        return 3

    ordered = sorted(rows, key=lambda r: (rank(r[1], r[2]), r[3] or date.max, r[4]))
    return [audit_id or 0 for audit_id, *_rest in ordered]


def test_the_shoppers_visits_walk_once_each_group_by_group(client: TestClient, session: Session, world: World,
                                                           grouped: list[int]) -> None:
    log_in(client, world.shopper.email, PASSWORD)
    returned = len(session.exec(select(Audit.id).where(Audit.shopper_id == world.shopper.id,
                                                       Audit.status == AuditStatus.returned)).all())

    first = client.get("/visits")
    pages = list(walk_pages(client, "/visits?limit=150", VISIT_CARD))

    assert len(VISIT_CARD.findall(first.text)) == DEFAULT_LIMIT
    assert returned > DEFAULT_LIMIT  # the whole first page is the returned group, and it goes on
    # A group's badge counts the whole group, not the page's share of it.
    assert f'{ "Returned by QA" } <span class="badge">{returned}</span>' in first.text
    _once_each_in_order(pages, grouped, 150)


def test_the_shoppers_visits_page_in_place_with_htmx(client: TestClient, world: World, grouped: list[int]) -> None:
    log_in(client, world.shopper.email, PASSWORD)
    first = client.get("/visits")
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert next_url is not None and 'hx-target="#visits"' in first.text

    fragment = client.get(next_url.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})

    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="visits">')
    assert [int(a) for a in VISIT_CARD.findall(fragment.text)] == grouped[DEFAULT_LIMIT:2 * DEFAULT_LIMIT]


def test_a_shopper_with_few_visits_sees_one_page_as_before(client: TestClient, session: Session) -> None:
    publish_checklist(session)
    version = latest_version(session, "test-clinic")
    shopper = make_user(session, Role.shopper)
    wave, clinic = make_wave(session), make_clinic(session, address="Tverskaya 1")
    for status in (AuditStatus.draft, AuditStatus.returned, AuditStatus.approved):
        assignment = Assignment(wave_id=wave.id or 0, clinic_id=clinic.id or 0, checklist_version_id=version.id or 0,
                                shopper_id=shopper.id or 0)
        session.add(assignment)
        session.flush()
        session.add(Audit(assignment_id=assignment.id or 0, wave_id=wave.id or 0, clinic_id=clinic.id or 0,
                          checklist_version_id=version.id or 0, shopper_id=shopper.id or 0, status=status))
    session.commit()
    log_in(client, shopper.email, PASSWORD)

    page = client.get("/visits").text

    assert len(VISIT_CARD.findall(page)) == 3 and "list-pager" not in page
    assert page.index('id="group-returned"') < page.index('id="group-todo"') < page.index('id="group-submitted"')
    assert page.count('<span class="badge">1</span>') == 3


def test_the_shoppers_visits_read_limited_pages(engine: Engine, session: Session, client: TestClient,
                                                world: World) -> None:
    log_in(client, world.shopper.email, PASSWORD)

    reading = list_query_has_limit(engine, session, client, "/visits", "assignments")

    assert all(LIMITED.search(statement) for statement in reading), reading


# ---- the offline manifest -------------------------------------------------------------------------

@dataclass
class Busy:
    shopper: User
    open_audits: list[int]  # soonest due first


@pytest.fixture
def busy(session: Session) -> Busy:
    """A shopper with thousands of submitted and decided visits and a few open ones."""
    publish_checklist(session)
    version = latest_version(session, "test-clinic")
    shopper = make_user(session, Role.shopper)
    wave, clinic = make_wave(session), make_clinic(session)
    done, still_open = 3000, 30
    now = datetime.now(UTC)
    session.execute(insert(Assignment), [
        {"wave_id": wave.id, "clinic_id": clinic.id, "checklist_version_id": version.id, "shopper_id": shopper.id,
         "window_end": None if n % 7 == 0 else date(2026, 10, 1) + timedelta(days=n % 20), "created_at": now}
        for n in range(done + still_open)])
    assignments = session.exec(select(Assignment.id, Assignment.window_end).where(
        Assignment.shopper_id == shopper.id).order_by(col(Assignment.id))).all()
    statuses = [AuditStatus.submitted, AuditStatus.approved, AuditStatus.rejected]
    session.execute(insert(Audit), [
        {"assignment_id": assignment_id, "wave_id": wave.id, "clinic_id": clinic.id,
         "checklist_version_id": version.id, "shopper_id": shopper.id,
         "status": statuses[n % 3] if n < done else (AuditStatus.returned if n % 2 else AuditStatus.draft),
         "submission_count": 1, "created_at": now, "updated_at": now}
        for n, (assignment_id, _end) in enumerate(assignments)])
    session.commit()
    ends = dict(assignments)
    opened = session.exec(select(Audit.id, Audit.assignment_id).where(
        Audit.shopper_id == shopper.id, col(Audit.status).in_([AuditStatus.draft, AuditStatus.returned]))).all()
    soonest = sorted(opened, key=lambda row: (ends[row[1]] or date.max, row[1]))
    return Busy(shopper=shopper, open_audits=[audit_id or 0 for audit_id, _a in soonest])


def _kept_visits(pages: list[str]) -> list[int]:
    return [int(found.group(1)) for page in pages if (found := re.fullmatch(r"/visits/(\d+)", page))]


def test_the_manifest_keeps_only_the_open_visits_of_a_busy_shopper(engine: Engine, session: Session,
                                                                    client: TestClient, busy: Busy) -> None:
    log_in(client, busy.shopper.email, PASSWORD)

    with counted(engine, session) as statements:
        response = client.get("/visits/offline-manifest")

    assert response.status_code == 200
    assert _kept_visits(response.json()["pages"]) == busy.open_audits
    reading = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM audits" in s]
    assert reading and all(LIMITED.search(s) for s in reading if "ORDER BY" in s.upper()), reading
    assert len(statements) < 15, statements  # not one per visit


def test_the_manifest_keeps_at_most_the_cap_soonest_due_first(client: TestClient, session: Session,
                                                              world: World) -> None:
    log_in(client, world.shopper.email, PASSWORD)
    opened = session.exec(select(Audit.id, Assignment.window_end, Assignment.id)
                          .join(Assignment, col(Assignment.id) == Audit.assignment_id)
                          .where(Assignment.shopper_id == world.shopper.id, Audit.status == AuditStatus.draft)).all()
    soonest = [a for a, _end, _id in sorted(opened, key=lambda r: (r[1] or date.max, r[2]))]
    assert len(soonest) > MAX_KEPT_VISITS

    kept = _kept_visits(client.get("/visits/offline-manifest").json()["pages"])

    assert kept == soonest[:MAX_KEPT_VISITS]


# ---- one action's history, "what we improved" -----------------------------------------------------

@dataclass
class Plan:
    admin: User
    action: int
    history: list[int]  # event ids, newest first
    clinics: list[Clinic]


ZONES = [None, "Europe/Kaliningrad", "Asia/Vladivostok", "America/Los_Angeles"]
GREEN_FROM = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def plan(session: Session) -> Plan:
    """One action with a long history (many entries at the same instant), and verification events of
    many clinics in four zones (pairs of clinics share a name) spread over weeks."""
    admin = make_user(session, Role.admin)
    region = make_region(session)
    session.execute(insert(Clinic), [
        {"name": f"Green clinic {n // 2:03}", "region_id": region.id, "city": "Moscow", "is_competitor": False,
         "active": True, "time_zone": ZONES[n % len(ZONES)]} for n in range(40)])
    clinics = list(session.exec(select(Clinic).where(Clinic.region_id == region.id).order_by(col(Clinic.id))).all())
    session.execute(insert(Action), [
        {"clinic_id": clinics[n % len(clinics)].id, "title": f"Green action {n}", "description": "", "kind": "gap",
         "owner_id": admin.id, "created_by_id": admin.id,
         "status": ActionStatus.verified if n % 5 else ActionStatus.open, "regressions": 0} for n in range(200)])
    actions = list(session.exec(select(Action.id).order_by(col(Action.id))).all())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    session.execute(insert(ActionEvent), [
        {"action_id": actions[0], "actor_id": admin.id if n % 4 else None, "at": start + timedelta(minutes=n // 3),
         "field": "comment", "old": None, "new": None, "comment": f"Note {n}"} for n in range(HISTORY)])
    session.execute(insert(ActionEvent), [
        {"action_id": actions[n % len(actions)], "actor_id": None, "at": GREEN_FROM + timedelta(minutes=41 * (n // 2)),
         "field": "status", "old": ActionStatus.done, "new": ActionStatus.verified, "comment": ""}
        for n in range(GREENS)])
    session.commit()
    history = session.exec(select(ActionEvent.id).where(ActionEvent.action_id == actions[0])
                           .order_by(col(ActionEvent.at).desc(), col(ActionEvent.id).desc())).all()
    return Plan(admin=admin, action=actions[0] or 0, history=[e for e in history if e], clinics=clinics)


def test_an_actions_history_walks_once_each_newest_first(client: TestClient, plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)

    first = client.get(f"/actions/{plan.action}")
    pages = list(walk_pages(client, f"/actions/{plan.action}?limit=120", EVENT))

    assert len(EVENT.findall(first.text)) == DEFAULT_LIMIT and "Older entries" in first.text
    _once_each_in_order(pages, plan.history, 120)


def test_older_entries_come_as_the_history_fragment_with_htmx(client: TestClient, plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)
    first = client.get(f"/actions/{plan.action}").text
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older is not None and 'hx-target="#action-history"' in first

    fragment = client.get(older.group(1).replace("&amp;", "&"),
                          headers={"HX-Request": "true", "HX-Target": "action-history"})

    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section id="action-history">')
    assert "action-detail" not in fragment.text and "Newest entries" in fragment.text
    assert [int(e) for e in EVENT.findall(fragment.text)] == plan.history[DEFAULT_LIMIT:2 * DEFAULT_LIMIT]


def _green_between(session: Session, plan: Plan, first: date, last: date) -> list[int]:
    """The verification events on [first, last] by each clinic's own calendar, in the page's order."""
    rows = session.exec(select(ActionEvent, Clinic).join(Action, col(Action.id) == ActionEvent.action_id)
                        .join(Clinic, col(Clinic.id) == Action.clinic_id)
                        .where(ActionEvent.new == ActionStatus.verified)).all()
    inside = [(clinic.name, clinic.id, event.at, event.id) for event, clinic in rows
              if first <= time_zones.local(event.at, clinic).date() <= last]
    return [event_id for *_key, event_id in sorted(inside)]


def test_what_we_improved_walks_once_each_by_clinic_on_each_clinics_days(client: TestClient, session: Session,
                                                                          plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)
    first, last = date(2026, 3, 4), date(2026, 3, 18)
    expected = _green_between(session, plan, first, last)
    url = f"/actions/improved?from={first}&to={last}"

    page = client.get(url)
    pages = list(walk_pages(client, f"{url}&limit=140", IMPROVED))

    assert len(IMPROVED.findall(page.text)) == DEFAULT_LIMIT
    assert f"{len(expected)} gaps turned green" in page.text  # the count is the period's, not the page's
    _once_each_in_order(pages, expected, 140)


def test_what_we_improved_pages_in_place_with_htmx(client: TestClient, session: Session, plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)
    first = client.get("/actions/improved").text
    next_url = re.search(r'href="([^"]+)" rel="next"', first)
    assert next_url is not None and 'hx-target="#improved"' in first

    fragment = client.get(next_url.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})

    expected = _green_between(session, plan, date.min, date.max)
    assert fragment.text.lstrip().startswith('<div id="improved">')
    assert [int(e) for e in IMPROVED.findall(fragment.text)] == expected[DEFAULT_LIMIT:2 * DEFAULT_LIMIT]


def test_history_and_improved_read_limited_pages(engine: Engine, session: Session, client: TestClient,
                                                 plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)

    for url in (f"/actions/{plan.action}", "/actions/improved", "/actions/improved?from=2026-03-02&to=2026-03-09"):
        reading = list_query_has_limit(engine, session, client, url, "action_events")
        assert all(LIMITED.search(statement) for statement in reading), (url, reading)


# ---- one payout's entries, a shopper's earnings ---------------------------------------------------

@dataclass
class Ledger:
    qa: User
    shopper: User
    payout: int
    entries: list[int]  # the payout's, by shopper email then id
    earnings: list[int]  # the shopper's, newest first
    totals: dict[str, Decimal]  # the shopper's, by state
    by_shopper: dict[str, Decimal]  # the payout's amount per shopper email


@pytest.fixture
def ledger_rows(session: Session) -> Ledger:
    """A batch with entries of dozens of shoppers, and one shopper with a long history of entries
    (many made at the same instant)."""
    qa = make_user(session, Role.qa_lead)
    shopper = make_user(session, Role.shopper)
    session.execute(insert(User), [
        {"email": f"payee{n:03}@example.test", "name": f"Payee {n}", "role": Role.shopper,
         "password_hash": qa.password_hash, "active": True} for n in range(30)])
    payees = list(session.exec(select(User.id).where(col(User.email).like("payee%"))).all())
    made = datetime(2026, 2, 1, tzinfo=UTC)
    session.execute(insert(Payout), [{"up_to": date(2026, 2, 1), "status": "exported", "currency": "RUB",
                                      "entries": ENTRIES, "created_by_id": qa.id, "created_at": made}])
    payout = session.exec(select(Payout.id)).one()
    session.execute(insert(LedgerEntry), [
        {"shopper_id": payees[n // 3 % len(payees)] if n % 3 else shopper.id, "kind": EntryKind.adjustment,
         "fee": Decimal("100.00"), "reimbursement": Decimal(n % 7), "amount": Decimal("100.00") + n % 7,
         "status": EntryStatus.paid, "payout_id": payout, "note": f"Entry {n}",
         "created_at": made + timedelta(hours=n // 4), "updated_at": made} for n in range(ENTRIES)])
    statuses = [EntryStatus.pending, EntryStatus.approved, EntryStatus.in_payout, EntryStatus.cancelled]
    session.execute(insert(LedgerEntry), [
        {"shopper_id": shopper.id, "kind": EntryKind.adjustment, "fee": Decimal("50.00"),
         "reimbursement": Decimal("0.00"), "amount": Decimal("50.00") + n % 3, "status": statuses[n % 4],
         "note": f"Open {n}", "created_at": made + timedelta(hours=n // 5), "updated_at": made} for n in range(900)])
    session.commit()
    entries = session.exec(select(LedgerEntry.id).join(User, col(User.id) == LedgerEntry.shopper_id)
                           .where(LedgerEntry.payout_id == payout).order_by(col(User.email), col(LedgerEntry.id))).all()
    by_shopper = dict(session.exec(select(User.email, func.sum(col(LedgerEntry.amount)))
                                   .join(User, col(User.id) == LedgerEntry.shopper_id)
                                   .where(LedgerEntry.payout_id == payout).group_by(col(User.email))).all())
    mine = session.exec(select(LedgerEntry).where(LedgerEntry.shopper_id == shopper.id)
                        .order_by(col(LedgerEntry.created_at).desc(), col(LedgerEntry.id).desc())).all()
    totals: dict[str, Decimal] = {}
    for entry in mine:
        totals[entry.status] = totals.get(entry.status, Decimal("0.00")) + entry.amount
    return Ledger(qa=qa, shopper=shopper, payout=payout or 0, entries=[e for e in entries if e],
                  earnings=[e.id or 0 for e in mine], totals=totals, by_shopper=by_shopper)


def test_a_payouts_entries_walk_once_each_by_shopper(client: TestClient, ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.qa.email, PASSWORD)

    first = client.get(f"/payouts/{ledger_rows.payout}")
    pages = list(walk_pages(client, f"/payouts/{ledger_rows.payout}?limit=100", ENTRY))

    assert len(ENTRY.findall(first.text)) == DEFAULT_LIMIT
    _once_each_in_order(pages, ledger_rows.entries, 100)
    # Each page totals its own shoppers, over all their entries in the batch.
    shown = re.findall(r'<span class="muted">([^<]+@example.test)</span></td><td class="num" data-label="Visits">0</td>'
                       r'<td class="num" data-label="Amount">([0-9.]+) RUB', first.text)
    assert [email for email, _amount in shown] == sorted(ledger_rows.by_shopper)[:len(shown)] and len(shown) == 2
    assert all(Decimal(amount) == ledger_rows.by_shopper[email] for email, amount in shown)


def test_a_refused_payout_action_shows_the_first_page_linking_to_the_payout(client: TestClient,
                                                                            ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.qa.email, PASSWORD)

    refused = client.post(f"/payouts/{ledger_rows.payout}/export")  # exported already: 409 with the page

    assert refused.status_code == 409
    assert [int(e) for e in ENTRY.findall(refused.text)] == ledger_rows.entries[:DEFAULT_LIMIT]
    assert re.search(rf'href="/payouts/{ledger_rows.payout}\?cursor=[^"]+" rel="next"', refused.text)


def test_a_shoppers_earnings_walk_once_each_newest_first(client: TestClient, ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.shopper.email, PASSWORD)

    first = client.get("/earnings")
    pages = list(walk_pages(client, "/earnings?limit=130", ENTRY))

    assert len(ENTRY.findall(first.text)) == DEFAULT_LIMIT
    totals = ledger_rows.totals
    owed = totals[EntryStatus.approved] + totals[EntryStatus.in_payout]
    assert f'data-total="owed">{owed} ' in first.text  # over every entry, not the page's
    assert f'data-total="paid">{totals[EntryStatus.paid]} ' in first.text
    _once_each_in_order(pages, ledger_rows.earnings, 130)


def test_payout_entries_read_limited_pages(engine: Engine, session: Session, client: TestClient,
                                           ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.qa.email, PASSWORD)

    reading = list_query_has_limit(engine, session, client, f"/payouts/{ledger_rows.payout}", "ledger_entries")

    assert all(LIMITED.search(statement) for statement in reading), reading


def test_earnings_read_limited_pages(engine: Engine, session: Session, client: TestClient,
                                     ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.shopper.email, PASSWORD)

    reading = list_query_has_limit(engine, session, client, "/earnings", "ledger_entries")

    assert all(LIMITED.search(statement) for statement in reading), reading


# ---- bad page links on the lists of one thing (test_bad_page_links walks the paths without ids) -----

@pytest.mark.parametrize(("params", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"limit": "x"}, "limit"), ({"cursor": "%%%"}, "cursor"),
    ({"cursor": encode_cursor(["no", "such", "key", "shape", "here", 1])}, "cursor"),
])
def test_a_bad_page_link_on_a_history_or_a_payout_is_a_400(client: TestClient, session: Session,
                                                             params: dict[str, str], field: str) -> None:
    admin = make_user(session, Role.admin)
    clinic = make_clinic(session)
    action = Action(clinic_id=clinic.id or 0, title="One", kind="gap", owner_id=admin.id or 0,
                    created_by_id=admin.id)
    payout = Payout(up_to=date(2026, 1, 1), currency="RUB", created_by_id=admin.id)
    session.add_all([action, payout])
    session.commit()
    log_in(client, admin.email, PASSWORD)

    for url in (f"/actions/{action.id}", f"/payouts/{payout.id}"):
        response = client.get(url, params=params)
        assert response.status_code == 400, (url, field, response.text[:300])
        assert "This page link is not valid" in response.text


# ---- the programme's cost names its rows without reading every clinic and wave ------------------------

def test_the_cost_page_reads_only_the_clinics_and_waves_it_names(engine: Engine, session: Session,
                                                                 client: TestClient, world: World) -> None:
    qa = make_user(session, Role.qa_lead)
    audits = session.exec(select(Audit).where(Audit.shopper_id == world.shopper.id).order_by(col(Audit.id))
                          .limit(3)).all()
    for audit in audits:
        session.add(LedgerEntry(shopper_id=world.shopper.id or 0, kind=EntryKind.visit, audit_id=audit.id,
                                visit_audit_id=audit.id, fee=Decimal("100.00"), reimbursement=Decimal("0.00"),
                                amount=Decimal("100.00"), status=EntryStatus.approved))
    session.commit()
    names = {audit.clinic_id: session.get(Clinic, audit.clinic_id).name for audit in audits}  # type: ignore[union-attr]
    log_in(client, qa.email, PASSWORD)

    with counted(engine, session) as statements:
        page = client.get("/costs")

    assert page.status_code == 200 and all(name in page.text for name in names.values())
    naming = [s for s in statements if re.search(r"FROM (clinics|waves)\b", s)]
    assert naming and all(" IN (" in s for s in naming), naming


def test_an_actions_history_over_the_api_walks_once_each_oldest_first(client: TestClient, plan: Plan) -> None:
    log_in(client, plan.admin.email, PASSWORD)

    pages = list(walk_api(client, f"/api/v1/actions/{plan.action}/history", limit=40))

    assert len(pages) > 1 and all(len(page) <= 40 for page in pages)
    stamps = [row["at"] for page in pages for row in page]
    assert len(stamps) == len(plan.history) and stamps == sorted(stamps)


def test_earnings_over_the_api_walk_once_each_with_the_totals_of_all(client: TestClient,
                                                                      ledger_rows: Ledger) -> None:
    log_in(client, ledger_rows.shopper.email, PASSWORD)

    pages = []
    response = client.get("/api/v1/earnings", params={"limit": 60})
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        found = NEXT_LINK.search(response.headers.get("Link", ""))
        if found is None:
            break
        response = client.get(found.group(1))

    assert [entry["id"] for page in pages for entry in page["entries"]] == ledger_rows.earnings
    assert all(Decimal(page["paid"]) == ledger_rows.totals[EntryStatus.paid] for page in pages)


COST_ROW = re.compile(r'id="cost-clinic-(\d+)"')


@pytest.fixture
def costed(session: Session, world: World) -> dict[str, Any]:
    """100.00 owed for the first audit at each of the world's clinics in its wave, half of them approved."""
    firsts = session.exec(select(func.min(Audit.id)).where(Audit.wave_id == world.wave)
                          .group_by(col(Audit.clinic_id))).all()
    audits = session.exec(select(Audit).where(col(Audit.id).in_(firsts))).all()
    session.execute(insert(LedgerEntry), [
        {"shopper_id": world.shopper.id, "kind": EntryKind.visit, "audit_id": a.id, "visit_audit_id": a.id,
         "fee": Decimal("100.00"), "reimbursement": Decimal("0.00"), "amount": Decimal("100.00"),
         "status": EntryStatus.approved, "created_at": datetime.now(UTC)} for a in audits])
    approved = [a.id for n, a in enumerate(audits) if n % 2 == 0]
    session.execute(update(Audit).where(col(Audit.id).in_(approved)).values(status=AuditStatus.approved))
    session.commit()
    names = dict(session.exec(select(Clinic.id, Clinic.name).where(
        col(Clinic.id).in_([a.clinic_id for a in audits]))).all())
    ordered = sorted(names, key=lambda clinic_id: (names[clinic_id], clinic_id))
    return {"clinics": ordered, "total": Decimal("100.00") * len(audits), "approved": len(approved)}


def test_the_cost_page_walks_a_waves_clinics_once_each_by_name(client: TestClient, session: Session,
                                                                world: World, costed: dict[str, Any]) -> None:
    log_in(client, make_user(session, Role.director, whole_network=True).email, PASSWORD)

    first = client.get("/costs")
    pages = list(walk_pages(client, "/costs?limit=70", COST_ROW))

    assert len(COST_ROW.findall(first.text)) == DEFAULT_LIMIT
    assert f"<strong>{costed['total']} RUB</strong>" in first.text  # the wave's total, not the page's
    assert f"<strong>{costed['approved']}</strong>" in first.text
    _once_each_in_order(pages, costed["clinics"], 70)


def test_the_cost_page_reads_limited_pages_and_refuses_a_bad_wave(engine: Engine, session: Session,
                                                                  client: TestClient, world: World,
                                                                  costed: dict[str, Any]) -> None:
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    reading = list_query_has_limit(engine, session, client, f"/costs?wave={world.wave}&limit=20", "ledger_entries")

    assert all(LIMITED.search(statement) for statement in reading), reading
    assert client.get("/costs?wave=²").status_code == 400
    assert client.get("/costs?wave=99999999").status_code == 404
    assert client.get("/costs?cursor=nonsense").status_code == 400


def test_a_director_sees_only_the_costs_in_scope(client: TestClient, session: Session, world: World,
                                                 costed: dict[str, Any]) -> None:
    mine = costed["clinics"][0]
    log_in(client, make_user(session, Role.director, clinic_ids=[mine]).email, PASSWORD)

    page = client.get("/costs").text

    assert COST_ROW.findall(page) == [str(mine)]
    assert "<strong>100.00 RUB</strong>" in page
