"""JSON shape of an audit's validity (QA and admins only; never sent to the shopper)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.validity.verdict import ValidityView


class ReasonOut(BaseModel):
    code: str = Field(description="stable code, e.g. photo_far, photo_identical, submitted_late")
    severity: str = Field(description="doubtful | invalid")
    message: str = Field(description="the reason in plain words, in the reader's language")


class ValidityOut(BaseModel):
    verdict: str = Field(description="valid | doubtful | invalid")
    reasons: list[ReasonOut]
    facts: dict[str, Any] = Field(description="visit, checkin, photos, recordings, submission (docs/validity.md)")
    computed_at: datetime
    submission_number: int


def validity_out(view: ValidityView) -> ValidityOut:
    return ValidityOut(verdict=view.verdict, facts=view.facts, computed_at=view.computed_at,
                       submission_number=view.submission_number,
                       reasons=[ReasonOut(code=r.code, severity=r.severity, message=r.message) for r in view.reasons])
