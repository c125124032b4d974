"""JSON shapes of the review API."""

from datetime import datetime

from pydantic import BaseModel, Field


class ReviewRequest(BaseModel):
    decision: str = Field(description="approve | return | reject")
    comments: dict[str, str] = Field(default_factory=dict, description="{item_key: comment}")
    reason: str = ""
    reason_code: str | None = Field(default=None, description="reject only: \"recognised\" blocks the shopper at "
                                                              "the clinic")


class ReviewRead(BaseModel):
    id: int = Field(description="the audit's id")
    status: str
    decision: str
    review_id: int
    submission_number: int
    decided_at: datetime | None
    decided_by: str | None = Field(description="the reviewer's email")
    reason: str
    comments: dict[str, str]
