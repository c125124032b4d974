"""Tables of the shopper pool: each wave's rules, visits published to the board, certifications."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow
from app.money.amounts import Money


class WaveRules(SQLModel, table=True):
    """Who may visit where in a wave; a wave without a row (or a rule left empty) does not check it."""

    __tablename__ = "wave_rules"

    wave_id: int = Field(foreign_key="waves.id", primary_key=True, ondelete="CASCADE")
    revisit_days: int | None = None  # no second visit to the same clinic within N days
    max_visits: int | None = None  # at most K visits per shopper in the wave
    certification_required: bool = False  # only shoppers certified for the checklist
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BoardStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    withdrawn = "withdrawn"


class BoardVisit(SQLModel, table=True):
    """An unassigned visit QA published; the first shopper to claim it gets the assignment."""

    __tablename__ = "board_visits"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="waves.id", index=True)
    clinic_id: int = Field(foreign_key="clinics.id", index=True)
    checklist_id: int = Field(foreign_key="checklists.id")
    scenario_id: int | None = Field(default=None, foreign_key="scenarios.id")
    window_start: date | None = None
    window_end: date | None = None
    fee: Decimal | None = Field(default=None, sa_type=Money)  # None: the wave's default
    reimbursement_limit: Decimal | None = Field(default=None, sa_type=Money)
    status: str = Field(default=BoardStatus.open, max_length=10, index=True)
    claimed_by_id: int | None = Field(default=None, foreign_key="users.id")
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assignment_id: int | None = Field(default=None, foreign_key="assignments.id", unique=True)
    published_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Certification(SQLModel, table=True):
    """A shopper may do visits on a checklist: a QA lead certified them, or they passed its quiz."""

    __tablename__ = "certifications"

    shopper_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    checklist_id: int = Field(foreign_key="checklists.id", primary_key=True, ondelete="CASCADE")
    method: str = Field(max_length=10)  # qa | quiz
    certified_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
