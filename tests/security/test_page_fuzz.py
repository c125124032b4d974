"""Every page route (everything outside /api/v1), as every role and anonymous, with generated query
strings and form fields: no 5xx, ever (docs/design.md §7). The route table drives it, like the API
fuzz: a new page route is fuzzed without anyone listing it.

Field names are those the route declares (its query and form parameters) plus the names pages read
straight from the posted form; values are Hypothesis text and integers mixed with inputs that broke
pages before (`²`, NUL, 20-digit numbers, year 1 and 9999, 121 characters, negative offsets).
Bounded: a few examples per route and role (FUZZ_EXAMPLES)."""

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.main import app
from tests.security.committed_world import committed_world, served_from
from tests.security.routes import _walk
from tests.security.test_authorization_matrix import NAMED, PARAMETERS, TABLE
from tests.security.world import ROLES, World, as_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
PAGE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])

# Read from the raw form by some pages (editor, visit times, offline sync…), so not in the signature.
FORM_NAMES = ("t", "i", "to", "action", "expected_key", "key", "new_key", "title", "text", "type", "op",
              "tz_offset", "started_at", "ended_at", "now", "value", "comment", "na", "latitude", "longitude",
              "weight", "target", "scale_min", "scale_max", "pass_min", "pass_max", "option_score", "go",
              "name", "email", "password", "role", "clinic", "region", "wave", "status", "due_on", "owner",
              "visits", "visits_per_clinic", "starts_on", "ends_on", "decision", "reason", "page", "cursor",
              "limit", "v.call.greeting", "v.reception.politeness", "v.call.answer_time", "next", "language")
NASTY = ("²", "١٢", "\x00", "a\x00b", "--5", "-5", "99999999999999999999", "2147483648", "-2147483649",
         "9223372036854775808", "0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31",
         "2026-02-30", "1e309", "nan", "-inf", "0", "-1", "", " ", "x" * 121, "𝟘", "../../etc/passwd",
         "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\r\n", "true", "on", "draft", "call.greeting")
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str),
                   st.dates().map(str), st.datetimes().map(lambda d: d.isoformat(timespec="minutes")))


def _declared(route: APIRoute) -> tuple[list[str], list[str]]:
    """The query and body field names of the route and of every dependency it uses."""
    query: list[str] = []
    form: list[str] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        query += [p.alias for p in dependant.query_params]
        form += [p.alias for p in dependant.body_params]
        pending += dependant.dependencies
    return query, form


def page_routes() -> list[tuple[str, str, APIRoute]]:
    found = []
    for route in _walk(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and not original.path.startswith("/api/"):
            for method in sorted(original.methods - {"HEAD", "OPTIONS"}):
                found.append((method, original.path, original))
    return found


ROUTES = page_routes()


@pytest.fixture(scope="module")
def page_world() -> Iterator[tuple[World, Any]]:
    with committed_world("mp-page-fuzz-") as arranged:
        yield arranged


@pytest.fixture
def on_page_database(page_world: tuple[World, Any]) -> Iterator[World]:
    world, engine = page_world
    with served_from(engine):
        yield world


def _path(template: str, world: World, role: str, generated: dict[str, str]) -> str:
    rule = TABLE.get(("GET", template)) or TABLE.get(("POST", template))
    chosen = dict(rule.params) if rule else {}
    path = template
    for name in PARAMETERS:
        for form in ("{" + name + "}", "{" + name + ":int}", "{" + name + ":path}"):
            if form in path:
                if name in generated:
                    value = quote(generated[name], safe="")
                else:
                    value = str(NAMED[chosen[name]](world) if name in chosen else PARAMETERS[name](world, role))
                path = path.replace(form, value)
    return path


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
@pytest.mark.parametrize(("method", "template", "route"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_no_page_answers_a_server_error(on_page_database: World, method: str, template: str, route: APIRoute,
                                        who: str) -> None:
    world = on_page_database
    query_names, form_names = _declared(route)
    path_names = [n for n in PARAMETERS if "{" + n in template]
    names = st.sampled_from(sorted({*query_names, *form_names, *FORM_NAMES}))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        as_user(client, world.logins.get(who))

        @PAGE_SETTINGS
        @given(query=st.dictionaries(names, VALUES, max_size=4), form=st.dictionaries(names, VALUES, max_size=6),
               generated=st.dictionaries(st.sampled_from(path_names or ["-"]), VALUES, max_size=1))
        def exercise(query: dict[str, str], form: dict[str, str], generated: dict[str, str]) -> None:
            url = _path(template, world, who, {k: v for k, v in generated.items() if v})
            if method == "GET":
                response = client.get(url, params=query)
            else:
                response = client.request(method, url, params=query, data=form)
            assert response.status_code < 500, (method, url, query, form, response.status_code,
                                                response.text[:300])

        exercise()
