"""JSON shapes of the board API. Amounts are decimals: strings with two places in JSON, never floats."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

Amount = Decimal


class BoardVisitIn(BaseModel):
    """The body of POST /api/v1/assignments without the shopper, plus the fee."""

    model_config = ConfigDict(extra="forbid")

    wave_id: int
    clinic_id: int
    checklist: str = Field(description="checklist slug; a claim pins the audit to its latest version")
    scenario_id: int | None = None
    window_start: date | None = None
    due_on: date | None = Field(default=None, description="the last day of the visit window")
    fee: Amount | None = Field(default=None, max_digits=12, decimal_places=2, ge=0,
                               description="the visit fee; empty: the wave's default")
    reimbursement_limit: Amount | None = Field(default=None, max_digits=12, decimal_places=2, ge=0)


class BoardVisitOut(BaseModel):
    id: int
    wave_id: int
    wave: str
    clinic_id: int
    clinic_name: str
    checklist: str
    scenario_id: int | None
    window_start: date | None
    due_on: date | None
    fee: Amount
    reimbursement_limit: Amount
    currency: str
    status: str
