"""Dates and times in the JSON API are ISO 8601 strings only (docs/design.md §8).

Pydantic reads a number as a Unix time, so `"due_on": 0` became 1970-01-01: a client bug that
should be a 422, not a silent date. These types refuse numbers before pydantic converts them.
"""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float):  # bool is an int too: refused as well
        raise ValueError("a date or time is an ISO 8601 string (YYYY-MM-DD or YYYY-MM-DDTHH:MM), not a number")
    return value


ApiDate = Annotated[date, BeforeValidator(_not_a_number)]
ApiDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
