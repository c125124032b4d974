"""Tables of the money domain: fee defaults per wave, terms per visit, receipts, ledger, payouts."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow
from app.money.amounts import Money


class WaveMoney(SQLModel, table=True):
    """A wave's default visit fee and reimbursement limit; an assignment without its own terms uses them."""

    __tablename__ = "wave_money"

    wave_id: int = Field(foreign_key="waves.id", primary_key=True, ondelete="CASCADE")
    fee: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    reimbursement_limit: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VisitTerms(SQLModel, table=True):
    """The fee and reimbursement limit of one assignment, where they differ from the wave's defaults."""

    __tablename__ = "visit_terms"

    assignment_id: int = Field(foreign_key="assignments.id", primary_key=True, ondelete="CASCADE")
    fee: Decimal | None = Field(default=None, sa_type=Money)
    reimbursement_limit: Decimal | None = Field(default=None, sa_type=Money)


class ReceiptDecision(StrEnum):
    accepted = "accepted"
    adjusted = "adjusted"
    refused = "refused"


class Receipt(SQLModel, table=True):
    """The shopper's receipt for the consultation (a photo re-encoded, or a PDF), the amount they paid,
    and QA's decision on what is reimbursed. One per audit: a new upload replaces it while editable."""

    __tablename__ = "receipts"

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audits.id", unique=True, ondelete="CASCADE")
    stored_name: str = Field(max_length=100, unique=True)
    content_type: str = Field(max_length=60)  # image/jpeg | application/pdf
    size_bytes: int
    sha256: str = Field(max_length=64)
    amount_paid: Decimal = Field(sa_type=Money)
    decision: str | None = Field(default=None, max_length=10)  # None until QA decides
    reimbursed: Decimal | None = Field(default=None, sa_type=Money)
    over_limit: bool = False  # QA explicitly reimbursed more than the limit
    reason: str = ""
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EntryStatus(StrEnum):
    pending = "pending"  # the visit is submitted, QA has not approved it yet
    approved = "approved"  # owed: waiting for a payout batch
    in_payout = "in_payout"
    paid = "paid"
    cancelled = "cancelled"  # the report was rejected: nothing is owed


class EntryKind(StrEnum):
    visit = "visit"  # fee + reimbursement of one visit
    reversal = "reversal"  # takes back an exported entry (negative)
    adjustment = "adjustment"  # pays what should have been paid instead


class LedgerEntry(SQLModel, table=True):
    """What is owed to a shopper. A visit has at most one visit entry (visit_audit_id is unique);
    once an entry is in an exported batch it never changes: a reversal entry takes it back."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_payable", "status", "approved_on"),)

    id: int | None = Field(default=None, primary_key=True)
    shopper_id: int = Field(foreign_key="users.id", index=True)
    kind: str = Field(max_length=12)
    audit_id: int | None = Field(default=None, foreign_key="audits.id", index=True)
    # Set only on visit entries: the database refuses a second entry for the same visit.
    visit_audit_id: int | None = Field(default=None, foreign_key="audits.id", unique=True)
    reverses_id: int | None = Field(default=None, foreign_key="ledger_entries.id", unique=True)
    fee: Decimal = Field(sa_type=Money)
    reimbursement: Decimal = Field(sa_type=Money)
    amount: Decimal = Field(sa_type=Money)  # fee + reimbursement, signed
    status: str = Field(max_length=12, index=True)
    approved_on: date | None = None
    payout_id: int | None = Field(default=None, foreign_key="payouts.id", index=True)
    note: str = ""
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PayoutStatus(StrEnum):
    open = "open"  # made, still editable
    exported = "exported"  # sent to accounting: frozen
    paid = "paid"


class Payout(SQLModel, table=True):
    """A batch of approved entries up to a date, exported once for accounting, then marked paid."""

    __tablename__ = "payouts"

    id: int | None = Field(default=None, primary_key=True)
    up_to: date
    status: str = Field(default=PayoutStatus.open, max_length=10)
    currency: str = Field(max_length=3)
    total: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    entries: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    exported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    exported_by_id: int | None = Field(default=None, foreign_key="users.id")
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_by_id: int | None = Field(default=None, foreign_key="users.id")
