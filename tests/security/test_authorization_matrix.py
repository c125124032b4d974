"""The authorization matrix: every route of the app × every role (and anonymous), generated from the
route table, so a route added without an entry here fails the suite.

One table says who may use each route. Others get 401 (API) or a redirect to /login (pages) when
anonymous, and 403 or 404 when logged in with the wrong role or scope. Reads go first; a forbidden
state change must not succeed, an allowed one must not be refused for permission (422 for the empty
body is fine). Each route gets a fresh arranged world (tests/security/world.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import app
from app.web.static_files import fingerprint
from tests.security.routes import api_routes
from tests.security.world import ROLES, World, as_user, build_world

S, Q, D, M, A = "shopper", "qa_lead", "director", "manager", "admin"
ANON = "anonymous"
USERS = frozenset(ROLES)
PUBLIC = USERS | {ANON}
QA = frozenset({Q, A})
CHECKLIST_READERS = frozenset({Q, A, D})
REPORT_READERS = frozenset({D, Q, A, M})
NETWORK_READERS = frozenset({D, Q, A})
ACTING = frozenset({D, Q, A, M})
STAGE_EDITORS = frozenset({D, A, M})  # a stage's blueprint and owner: the clinic's manager or a director
SHOPPER = frozenset({S})
ADMIN = frozenset({A})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    ok: int = 200  # what an allowed GET answers
    ok_anonymous: int = 200  # the same, for a public route read without logging in
    query: str = ""  # a query string the route needs, with {parameters} like the path
    params: tuple[tuple[str, str], ...] = ()  # per-route choice of world object for a path parameter
    anonymous: int = 0  # what anonymous gets instead of the login redirect / 401, for a route outside logins


# (method, path template) -> who may use it. THE table: keep it in step with the app.
TABLE: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): Rule(PUBLIC),
    # Downloads prepared as jobs: each user reaches only their own (job_id is the caller's job).
    ("POST", "/downloads"): Rule(USERS),
    ("GET", "/downloads/{job_id}"): Rule(USERS),
    ("GET", "/downloads/{job_id}/file"): Rule(REPORT_READERS),  # the gap report PDF: re-checked at download
    ("POST", "/downloads/{job_id}/retry"): Rule(USERS),
    ("POST", "/api/v1/downloads"): Rule(USERS),
    ("GET", "/api/v1/downloads/{job_id}"): Rule(USERS),
    ("GET", "/api/v1/downloads/{job_id}/file"): Rule(REPORT_READERS),
    ("POST", "/api/v1/downloads/{job_id}/retry"): Rule(USERS),
    ("GET", "/readyz"): Rule(PUBLIC),
    # Prometheus, with MP_METRICS_TOKEN only (tests/monitoring): no session or role opens it.
    ("GET", "/metrics"): Rule(frozenset(), anonymous=404),
    ("GET", "/static/{version}/{name:path}"): Rule(PUBLIC),
    ("GET", "/"): Rule(USERS, ok=303),
    ("GET", "/profile"): Rule(USERS),
    ("POST", "/profile/password"): Rule(USERS),
    ("POST", "/profile/tokens"): Rule(USERS),
    ("POST", "/profile/tokens/{token_id}/revoke"): Rule(USERS),
    ("GET", "/login"): Rule(PUBLIC, ok=303),  # a logged-in user is sent on
    ("GET", "/sw.js"): Rule(PUBLIC),  # the service worker: no data in it
    ("GET", "/favicon.ico"): Rule(PUBLIC),  # the app's icon
    ("POST", "/login"): Rule(PUBLIC),
    ("POST", "/logout"): Rule(PUBLIC),
    ("POST", "/language"): Rule(PUBLIC),
    ("GET", "/admin/users"): Rule(ADMIN),
    ("GET", "/admin/users/new"): Rule(ADMIN),
    ("POST", "/admin/users"): Rule(ADMIN),
    ("GET", "/admin/users/{user_id}"): Rule(ADMIN),
    ("POST", "/admin/users/{user_id}"): Rule(ADMIN),
    ("POST", "/admin/users/{user_id}/active"): Rule(ADMIN),
    ("POST", "/admin/users/{user_id}/password"): Rule(ADMIN),
    ("GET", "/admin/clinics"): Rule(ADMIN),
    ("GET", "/admin/clinics/new"): Rule(ADMIN),
    ("POST", "/admin/clinics"): Rule(ADMIN),
    ("GET", "/admin/clinics/{clinic_id}"): Rule(ADMIN),
    ("POST", "/admin/clinics/{clinic_id}"): Rule(ADMIN),
    ("POST", "/admin/regions"): Rule(ADMIN),
    ("POST", "/admin/regions/{region_id}"): Rule(ADMIN),
    ("GET", "/scenarios"): Rule(QA),
    ("GET", "/scenarios/new"): Rule(QA),
    ("GET", "/scenarios/{slug}/edit"): Rule(QA, params=(("slug", "scenario"),)),
    ("POST", "/scenarios/new"): Rule(QA),
    ("POST", "/scenarios/{slug}/edit"): Rule(QA, params=(("slug", "scenario"),)),
    ("GET", "/checklists"): Rule(CHECKLIST_READERS),
    ("POST", "/checklists/upload"): Rule(QA),
    ("GET", "/checklists/{slug}"): Rule(CHECKLIST_READERS),
    ("GET", "/checklists/{slug}/versions"): Rule(CHECKLIST_READERS),
    ("GET", "/checklists/{slug}/versions/{number:int}.yaml"): Rule(CHECKLIST_READERS),
    ("GET", "/checklists/{slug}/diff"): Rule(CHECKLIST_READERS),
    ("POST", "/checklists/{slug}/draft/open"): Rule(QA),
    ("GET", "/checklists/{slug}/draft"): Rule(QA),
    ("GET", "/checklists/{slug}/draft.yaml"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/settings"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/tp/{t:int}"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/tp/{t:int}/items/{i:int}"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/structure"): Rule(QA),
    ("GET", "/checklists/{slug}/draft/preview"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/publish"): Rule(QA),
    ("POST", "/checklists/{slug}/draft/discard"): Rule(QA),
    ("GET", "/visits/{audit_id}/t/{touchpoint_key}"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/t/{touchpoint_key}"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/items/{item_key}"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/items/{item_key}/files"): Rule(SHOPPER),
    ("GET", "/visits/offline-manifest"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/evidence/{evidence_id}/delete"): Rule(SHOPPER),
    # The approved audit's photo: its shopper, QA, admin, the director of its region, its clinic's manager.
    ("GET", "/media/{evidence_id}"): Rule(USERS, params=(("evidence_id", "approved_photo"),)),
    ("GET", "/media/{evidence_id}/thumb"): Rule(USERS, params=(("evidence_id", "approved_photo"),)),
    ("GET", "/visits"): Rule(SHOPPER),
    ("GET", "/visits/{audit_id}"): Rule(SHOPPER),
    ("GET", "/visits/{audit_id}/brief"): Rule(SHOPPER),
    ("GET", "/visits/{audit_id}/overview"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/submit"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/times"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/checkin"): Rule(SHOPPER),
    ("GET", "/waves"): Rule(QA),
    ("POST", "/waves"): Rule(QA),
    ("GET", "/waves/{wave_id}"): Rule(QA),
    ("POST", "/waves/{wave_id}/assign"): Rule(QA),
    ("POST", "/assignments/{assignment_id}/reassign"): Rule(QA),
    ("POST", "/assignments/{assignment_id}/cancel"): Rule(QA),
    ("GET", "/review"): Rule(QA),
    # Choice lists: each kind names its readers (app/web/choice_sources.py); clinics is the office's.
    ("GET", "/choices/{kind}"): Rule(QA, params=(("kind", "office_choices"),)),
    ("GET", "/review/audits/{audit_id}"): Rule(QA, params=(("audit_id", "approved"),)),
    ("POST", "/review/audits/{audit_id}"): Rule(QA, params=(("audit_id", "approved"),)),
    ("GET", "/review/shoppers"): Rule(QA),
    ("POST", "/review/shoppers/{shopper_id}/active"): Rule(QA),
    ("GET", "/review/validity/rules"): Rule(QA, ok=303),
    ("GET", "/review/validity/rules/{wave_id}"): Rule(QA),
    ("POST", "/review/validity/rules/{wave_id}"): Rule(QA),
    ("POST", "/review/audits/{audit_id}/validity"): Rule(QA, params=(("audit_id", "approved"),)),
    ("GET", "/reports"): Rule(NETWORK_READERS),
    ("GET", "/reports/clinics/{clinic_id}"): Rule(REPORT_READERS),
    ("GET", "/reports/clinics/{clinic_id}/report.pdf"): Rule(REPORT_READERS),
    ("GET", "/reports/my-clinic"): Rule(REPORT_READERS, ok=303),  # on to the clinic (or the network)
    ("GET", "/reports/export.xlsx"): Rule(REPORT_READERS),
    ("GET", "/reports/answers.csv"): Rule(REPORT_READERS),
    ("GET", "/actions"): Rule(ACTING),
    ("GET", "/actions/clinics/{clinic_id}"): Rule(ACTING),
    ("GET", "/actions/improved"): Rule(ACTING),
    ("GET", "/actions/new"): Rule(ACTING, query="clinic_id={clinic_id}"),
    ("POST", "/actions"): Rule(ACTING),
    ("GET", "/actions/{action_id}"): Rule(ACTING),
    ("POST", "/actions/{action_id}"): Rule(ACTING),
    ("GET", "/reports/clinics/{clinic_id}/journey"): Rule(ACTING),
    ("GET", "/reports/clinics/{clinic_id}/journey.pdf"): Rule(ACTING),
    ("GET", "/reports/drivers"): Rule(REPORT_READERS),
    ("GET", "/reports/clinics/{clinic_id}/journey/stages/{touchpoint_key}"): Rule(STAGE_EDITORS),
    ("POST", "/reports/clinics/{clinic_id}/journey/stages/{touchpoint_key}"): Rule(STAGE_EDITORS),
    ("GET", "/api/v1/me"): Rule(USERS),
    ("GET", "/api/v1/clinics"): Rule(frozenset({A, Q, D, M})),
    ("POST", "/api/v1/clinics"): Rule(ADMIN),
    ("GET", "/api/v1/clinics/{clinic_id}"): Rule(frozenset({A, Q, D, M})),
    ("PATCH", "/api/v1/clinics/{clinic_id}"): Rule(ADMIN),
    ("GET", "/api/v1/checklists"): Rule(CHECKLIST_READERS),
    ("POST", "/api/v1/checklists"): Rule(QA),
    ("GET", "/api/v1/checklists/{slug}"): Rule(CHECKLIST_READERS),
    ("GET", "/api/v1/waves"): Rule(QA),
    ("POST", "/api/v1/waves"): Rule(QA),
    ("POST", "/api/v1/assignments"): Rule(QA),
    ("GET", "/api/v1/assignments"): Rule(frozenset({S, Q, A})),
    ("GET", "/api/v1/audits/{audit_id}"): Rule(frozenset({S, Q, A})),
    ("PUT", "/api/v1/audits/{audit_id}/answers"): Rule(SHOPPER),
    ("POST", "/api/v1/audits/{audit_id}/evidence"): Rule(SHOPPER),
    ("DELETE", "/api/v1/audits/{audit_id}/evidence/{evidence_id}"): Rule(SHOPPER),
    ("PUT", "/api/v1/audits/{audit_id}/visit"): Rule(SHOPPER),
    ("POST", "/api/v1/audits/{audit_id}/checkin"): Rule(SHOPPER),
    ("POST", "/api/v1/audits/{audit_id}/submit"): Rule(SHOPPER),
    ("POST", "/api/v1/audits/{audit_id}/review"): Rule(QA, params=(("audit_id", "approved"),)),
    ("GET", "/api/v1/reports/clinics/{clinic_id}"): Rule(REPORT_READERS),
    ("GET", "/api/v1/reports/network"): Rule(NETWORK_READERS),
    ("GET", "/api/v1/actions"): Rule(ACTING),
    ("POST", "/api/v1/actions"): Rule(ACTING),
    ("PATCH", "/api/v1/actions/{action_id}"): Rule(ACTING),
    ("GET", "/api/v1/actions/{action_id}"): Rule(ACTING),
    ("GET", "/api/v1/actions/{action_id}/history"): Rule(ACTING),
    # Links from e-mails: the token in the address is the credential; a wrong one is refused as expired.
    ("GET", "/account/invitation/{token}"): Rule(PUBLIC, ok=410, ok_anonymous=410),
    ("POST", "/account/invitation/{token}"): Rule(PUBLIC),
    ("GET", "/password/forgot"): Rule(PUBLIC),
    ("POST", "/password/forgot"): Rule(PUBLIC),
    ("GET", "/password/reset/{token}"): Rule(PUBLIC, ok=410, ok_anonymous=410),
    ("POST", "/password/reset/{token}"): Rule(PUBLIC),
    ("GET", "/account/email/{token}"): Rule(PUBLIC, ok=410, ok_anonymous=410),
    ("POST", "/account/email/{token}"): Rule(PUBLIC),
    ("GET", "/unsubscribe/{token}"): Rule(PUBLIC, ok=410, ok_anonymous=410),
    ("POST", "/unsubscribe/{token}"): Rule(PUBLIC),
    ("POST", "/profile/email"): Rule(USERS),
    ("GET", "/notifications"): Rule(USERS),
    ("POST", "/notifications/read"): Rule(USERS),
    ("GET", "/notifications/preferences"): Rule(USERS),
    ("POST", "/notifications/preferences"): Rule(USERS),
    ("GET", "/admin/outbox"): Rule(ADMIN),
    ("GET", "/admin/outbox/{mail_id}"): Rule(ADMIN),
    ("POST", "/admin/outbox/{mail_id}/retry"): Rule(ADMIN),
    # Money and the shopper pool (issue 19).
    ("GET", "/visits/{audit_id}/receipt"): Rule(SHOPPER),
    ("POST", "/visits/{audit_id}/receipt"): Rule(SHOPPER),
    ("GET", "/receipts/{receipt_id}"): Rule(frozenset({S, Q, A})),  # its own shopper, QA, admin
    ("POST", "/review/audits/{audit_id}/receipt"): Rule(QA),
    ("GET", "/earnings"): Rule(SHOPPER),
    ("GET", "/payouts"): Rule(QA),
    ("POST", "/payouts"): Rule(QA),
    ("GET", "/payouts/{payout_id}"): Rule(QA),
    ("POST", "/payouts/{payout_id}/export"): Rule(QA),
    ("POST", "/payouts/{payout_id}/paid"): Rule(QA),
    ("POST", "/payouts/{payout_id}/entries/{entry_id}/drop"): Rule(QA),
    ("POST", "/payouts/{payout_id}/entries/{entry_id}/reverse"): Rule(QA),
    ("GET", "/payouts/{payout_id}/payout.{kind}"): Rule(QA),
    ("GET", "/costs"): Rule(NETWORK_READERS),
    ("GET", "/board"): Rule(SHOPPER),
    ("POST", "/board/{board_visit_id}/claim"): Rule(SHOPPER),
    ("GET", "/board/quiz/{slug}"): Rule(SHOPPER),
    ("POST", "/board/quiz/{slug}"): Rule(SHOPPER),
    ("GET", "/board/manage"): Rule(QA),
    ("POST", "/board/manage"): Rule(QA),
    ("POST", "/board/{board_visit_id}/withdraw"): Rule(QA),
    ("POST", "/board/certifications"): Rule(QA),
    ("GET", "/waves/{wave_id}/pool"): Rule(QA),
    ("POST", "/waves/{wave_id}/pool"): Rule(QA),
    ("GET", "/api/v1/earnings"): Rule(SHOPPER),
    ("GET", "/api/v1/payouts"): Rule(QA),
    ("POST", "/api/v1/payouts"): Rule(QA),
    ("POST", "/api/v1/payouts/{payout_id}/export"): Rule(QA),
    ("POST", "/api/v1/payouts/{payout_id}/paid"): Rule(QA),
    ("GET", "/api/v1/board"): Rule(SHOPPER),
    ("POST", "/api/v1/board/{board_visit_id}/claim"): Rule(SHOPPER),
    ("POST", "/api/v1/board"): Rule(QA),
}

# Path parameter -> the world object it names, by default (the shopper's draft, clinic A, ...).
PARAMETERS: dict[str, Callable[[World, str], Any]] = {
    "audit_id": lambda w, _: w.draft.id,
    "evidence_id": lambda w, _: w.draft_photo.id,
    "clinic_id": lambda w, _: w.clinic_a.id,
    "region_id": lambda w, _: w.region_a.id,
    "user_id": lambda w, _: w.users["other_shopper"].id,
    "shopper_id": lambda w, _: w.users["other_shopper"].id,
    "token_id": lambda w, role: w.logins[role].api_token_row.id if role in w.logins else 1,
    "wave_id": lambda w, _: w.wave.id,
    "assignment_id": lambda w, _: w.assignment.id,
    "action_id": lambda w, _: w.action.id,
    "mail_id": lambda w, _: w.mail.id,
    "token": lambda w, _: "not-a-live-token",
    "job_id": lambda w, role: w.jobs[role].id if role in w.jobs else w.jobs["admin"].id,
    "slug": lambda w, _: "sec-clinic",
    "number": lambda w, _: 1,
    "t": lambda w, _: 0,
    "i": lambda w, _: 0,
    "touchpoint_key": lambda w, _: "call",
    "item_key": lambda w, _: "call.greeting",
    "version": lambda w, _: fingerprint("app.css"),
    "name": lambda w, _: "app.css",
    "receipt_id": lambda w, _: w.receipt.id,
    "board_visit_id": lambda w, _: w.board_visit.id,
    "payout_id": lambda w, _: w.payout.id,
    "entry_id": lambda w, _: w.payout_entry.id,
    "kind": lambda w, _: "csv",
}
NAMED: dict[str, Callable[[World], Any]] = {
    "scenario": lambda w: "sec-scenario",
    "approved": lambda w: w.approved.id,
    "office_choices": lambda w: "clinics",
    "approved_photo": lambda w: w.approved_photo.id,
}

ROUTES = api_routes(app)
ROUTE_KEYS = [(method, path) for method, path, _ in ROUTES]


def fill(path: str, rule: Rule, world: World, role: str) -> str:
    if rule.query:
        path = f"{path}?{rule.query}"
    chosen = dict(rule.params)
    for name in PARAMETERS:
        for template in ("{" + name + "}", "{" + name + ":int}", "{" + name + ":path}"):
            if template in path:
                value = NAMED[chosen[name]](world) if name in chosen else PARAMETERS[name](world, role)
                path = path.replace(template, str(value))
    assert "{" not in path, f"no value for a parameter of {path}"
    return path


def test_every_route_of_the_app_is_in_the_table() -> None:
    missing = [key for key in ROUTE_KEYS if key not in TABLE]
    assert not missing, f"routes without an authorization rule: {missing}"


def test_every_route_in_the_table_still_exists() -> None:
    stale = [key for key in TABLE if key not in ROUTE_KEYS]
    assert not stale, f"rules for routes the app no longer has: {stale}"


def _call(client: TestClient, method: str, url: str) -> Any:
    return client.request(method, url)


def _check(method: str, path: str, rule: Rule, who: str, status: int, location: str) -> str | None:
    """A problem with one answer, or None."""
    api = path.startswith("/api/")
    if status >= 500:
        return f"{who}: {status}"
    if who == ANON and ANON not in rule.allowed:
        if rule.anonymous:
            return None if status == rule.anonymous else f"anonymous: {status}, expected {rule.anonymous}"
        if api:
            return None if status == 401 else f"anonymous: {status}, expected 401"
        return None if status == 303 and location.startswith("/login") else \
            f"anonymous: {status} {location}, expected a redirect to /login"
    if who not in rule.allowed:
        return None if status in (403, 404) else f"{who}: {status}, expected 403 or 404"
    if method == "GET":
        ok = rule.ok_anonymous if who == ANON else rule.ok
        return None if status == ok else f"{who}: {status}, expected {ok}"
    return None if status not in (401, 403, 404) else f"{who}: {status}, expected to be let through"


@pytest.mark.parametrize(("method", "path"), ROUTE_KEYS, ids=[f"{m} {p}" for m, p in ROUTE_KEYS])
def test_route_answers_each_role_as_the_table_says(session: Session, client: TestClient, method: str,
                                                   path: str) -> None:
    rule = TABLE.get((method, path))
    if rule is None:
        pytest.fail(f"{method} {path} has no rule in TABLE")
    world = build_world(session)
    # Forbidden identities first (they must change nothing), allowed ones last.
    order = sorted([ANON, *ROLES], key=lambda who: who in rule.allowed)
    problems = []
    for who in order:
        as_user(client, world.logins.get(who), api=path.startswith("/api/"))
        response = _call(client, method, fill(path, rule, world, who))
        problem = _check(method, path, rule, who, response.status_code, response.headers.get("location", ""))
        if problem:
            problems.append(problem)
    assert not problems, f"{method} {path}: " + "; ".join(problems)
