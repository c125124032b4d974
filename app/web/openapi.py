"""What the API documents about its errors: every operation may answer with the one error shape that
app.errors produces (`{"detail": ...}`: a message, or a list of problems), so clients and the schema
checks know every status the API really sends."""

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    """An error: `detail` is a message in the reader's language, or a list of problems."""

    detail: Any


def _error(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request could not be completed."),
    401: _error("Not logged in, or the API token is invalid or revoked."),
    403: _error("The role may not do this, or the CSRF token is missing."),
    404: _error("Not found, or outside the caller's scope."),
    409: _error("Changed by someone else in the meantime, or no longer editable."),
    413: _error("The upload is larger than the limit."),
    422: _error("Some of the data is not valid; `detail` lists the problems."),
    503: _error("The database is busy for a moment; send the request again (Retry-After)."),
}
