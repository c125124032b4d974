"""JSON shapes of the money API. Amounts are decimals (strings with two places), never floats."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class EntryOut(BaseModel):
    id: int
    kind: str
    audit_id: int | None
    clinic: str | None
    wave: str | None
    fee: Decimal
    reimbursement: Decimal
    amount: Decimal
    status: str
    payout_id: int | None
    created_at: datetime


class EarningsOut(BaseModel):
    currency: str
    pending: Decimal
    owed: Decimal
    paid: Decimal
    entries: list[EntryOut]


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to: date


class PayoutOut(BaseModel):
    id: int
    up_to: date
    status: str
    currency: str
    total: Decimal
    entries: int
    exported_at: datetime | None
    paid_at: datetime | None
