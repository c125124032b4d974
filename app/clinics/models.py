"""Regions and clinics: the network's branches and the competitors they are compared with."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class Region(SQLModel, table=True):
    __tablename__ = "regions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)


class Clinic(SQLModel, table=True):
    __tablename__ = "clinics"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    region_id: int | None = Field(default=None, foreign_key="regions.id", index=True)
    city: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    is_competitor: bool = Field(default=False, index=True)
    active: bool = True
    # IANA name (docs/design.md §3); None = the network's default, MP_DEFAULT_TIME_ZONE.
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
