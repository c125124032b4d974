"""schemathesis against the app's own OpenAPI document, in-process, as every role (Bearer tokens of an
arranged world in a fresh, really committed database): every operation, no 5xx, every response
documented and true to its schema and content type. Bounded: a few examples per operation and role."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import app
from tests.security.committed_world import committed_world, served_from
from tests.security.world import ROLES, World

SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


@pytest.fixture(scope="module")
def fuzz_world() -> Iterator[tuple[World, Any]]:
    with committed_world("mp-fuzz-") as arranged:
        yield arranged


@pytest.fixture
def on_fuzz_database(fuzz_world: tuple[World, Any]) -> Iterator[World]:
    world, engine = fuzz_world
    with served_from(engine):
        yield world


def _known_ids(world: World) -> dict[str, Any]:
    return {"audit_id": world.draft.id, "evidence_id": world.draft_photo.id, "clinic_id": world.clinic_a.id,
            "action_id": world.action.id, "slug": "sec-clinic",
            "board_visit_id": world.board_visit.id, "payout_id": world.payout.id, "job_id": world.jobs["admin"].id}


CASES = [(mode, label) for label, operation in sorted(OPERATIONS.items())
         for mode in ("generated-ids", "real-ids", "real-ids-invalid-data")
         if mode != "real-ids" or list(operation.path_parameters)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("mode", "label"), CASES, ids=[f"{mode}-{label}" for mode, label in CASES])
def test_no_operation_breaks_its_contract(on_fuzz_database: World, label: str, role: str, mode: str) -> None:
    """generated-ids: anything the schema allows; real-ids: the world's own audit, clinic, action, so
    bodies reach the domain code; invalid-data: bodies and queries that break the schema."""
    operation = OPERATIONS[label]
    world = on_fuzz_database
    known = _known_ids(world)
    names = [parameter.name for parameter in operation.path_parameters]
    generation = GenerationMode.NEGATIVE if mode.endswith("invalid-data") else GenerationMode.POSITIVE
    if mode.startswith("real-ids") and names:
        strategy = operation.as_strategy(generation, path_parameters={name: known[name] for name in names})
    elif mode == "generated-ids":
        strategy = operation.as_strategy()
    else:
        strategy = operation.as_strategy(generation)
    headers = {"Authorization": f"Bearer {world.logins[role].api_token}"}

    @FUZZ_SETTINGS
    @given(case=strategy)
    def exercise(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        exercise()
    except Unsatisfiable:
        pytest.skip("nothing in this operation can be made invalid")
