"""Every list that takes `limit` and `cursor` (found from the route table, so a new one cannot be
forgotten) answers a bad one with a 400 that says which, and applies the default without one."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.main import app
from app.web.paging import MAX_LIMIT, encode_cursor, page_request
from tests.factories import PASSWORD, make_user
from tests.security.routes import _walk
from tests.web import log_in

# Pages that a failed POST renders again read the page from the query themselves, not as a dependency.
READ_BY_HAND = ["/admin/clinics", "/waves", "/payouts", "/board", "/board/manage", "/checklists"]


def _paged_routes() -> list[str]:
    """Every GET path (without path parameters) whose dependencies include page_request, and those above."""
    found = set(READ_BY_HAND)
    for route in _walk(app.routes):
        if not isinstance(getattr(route, "original_route", route), APIRoute) or "GET" not in route.methods:
            continue
        if "{" not in route.path and page_request in {d.call for d in route.dependant.dependencies}:
            found.add(route.path)
    return sorted(found)


PAGED = _paged_routes()
ROLE = {"/board": Role.shopper, "/api/v1/board": Role.shopper, "/visits": Role.shopper, "/earnings": Role.shopper,
        "/api/v1/earnings": Role.shopper}


def test_the_route_table_has_the_paged_lists() -> None:
    assert {"/api/v1/assignments", "/api/v1/waves", "/api/v1/clinics", "/api/v1/actions", "/api/v1/payouts",
            "/api/v1/checklists", "/api/v1/board", "/review", "/admin/users", "/admin/outbox", "/actions",
            "/notifications", "/review/shoppers", "/scenarios", "/visits", "/earnings",
            "/actions/improved", "/api/v1/earnings"} <= set(PAGED)


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(("params", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": str(MAX_LIMIT + 1)}, "limit"), ({"limit": "x"}, "limit"),
    ({"cursor": "%%%"}, "cursor"), ({"cursor": encode_cursor(["no", "such", "key", "shape", "here", 1])}, "cursor"),
])
def test_a_bad_page_link_is_a_400_naming_the_parameter(client: TestClient, session: Session, path: str,
                                                        params: dict[str, str], field: str) -> None:
    log_in(client, make_user(session, ROLE.get(path, Role.admin)).email, PASSWORD)

    response = client.get(path, params=params)

    assert response.status_code == 400, (path, response.text[:300])
    if path.startswith("/api/"):
        assert response.json()["detail"][0]["loc"] == ["query", field]
    else:
        assert "This page link is not valid" in response.text


@pytest.mark.parametrize("path", PAGED)
def test_without_limit_or_cursor_the_first_page_answers(client: TestClient, session: Session, path: str) -> None:
    log_in(client, make_user(session, ROLE.get(path, Role.admin)).email, PASSWORD)

    assert client.get(path).status_code == 200
