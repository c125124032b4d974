"""The app's route table, flattened: every APIRoute with its method and path template."""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router (FastAPI ≥ 0.13x)
            yield from _walk(route.effective_candidates())
            yield from _walk(route.effective_low_priority_routes())
        else:
            yield route


def api_routes(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path template, in the OpenAPI schema) for every APIRoute of the app, in table order."""
    found = []
    for route in _walk(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                found.append((method, route.path, bool(route.include_in_schema)))
    return found
