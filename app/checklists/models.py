"""Checklists: templates with immutable numbered versions, their touchpoints, items and options.

Localized texts are JSON objects {"ru": ..., "en": ...}. A published version never changes; audits
point at the version they were filled on.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow

LocalizedText = dict[str, str]


DEFAULT_SCALE = (1, 5)  # a scale item without min/max (docs/design.md §4)

class Checklist(SQLModel, table=True):
    __tablename__ = "checklists"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChecklistVersion(SQLModel, table=True):
    __tablename__ = "checklist_versions"
    __table_args__ = (
        UniqueConstraint("checklist_id", "version"),
        # One open draft per author and checklist: two tabs opening it at once get the same draft.
        Index("uq_checklist_versions_one_draft", "checklist_id", "created_by_id", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="checklists.id", index=True)
    # None while a draft (seen only by its author); numbered 1, 2, ... when published.
    version: int | None = None
    status: str = Field(default="published", max_length=12)  # draft | published
    title: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    language: str = Field(default="ru", max_length=8)
    critical_policy: str = Field(default="flag", max_length=20)  # flag | zero_touchpoint
    target: float = 85.0
    # SHA-256 of the canonical document: importing the same content again is "unchanged".
    content_hash: str = Field(max_length=64, index=True)
    # The validated document as JSON (same structure as the YAML); export writes it back.
    document: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # {old_key: new_key} renamed in this version, so reports can follow an item over time.
    renamed_keys: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: int | None = Field(default=None, foreign_key="users.id")


class Touchpoint(SQLModel, table=True):
    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklist_versions.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    title: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    weight: float = 1.0
    target: float | None = None  # None: the checklist's target applies
    need: LocalizedText | None = Field(default=None, sa_type=JSON)
    channel: str | None = Field(default=None, max_length=20)


class Item(SQLModel, table=True):
    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklist_versions.id", index=True, ondelete="CASCADE")
    touchpoint_id: int = Field(foreign_key="touchpoints.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=120, index=True)
    position: int
    type: str = Field(max_length=12)  # yes_no | scale | number | choice | text | evidence | emotion
    text: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    help: LocalizedText | None = Field(default=None, sa_type=JSON)
    unit: str | None = Field(default=None, max_length=20)
    pass_min: float | None = None
    pass_max: float | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    weight: float = 1.0
    critical: bool = False
    allow_na: bool = False
    required: bool = True
    photo: str = Field(default="none", max_length=20)  # none | optional | required | required_on_fail
    comment: str = Field(default="optional", max_length=20)  # optional | required_on_fail

    # A scale's bounds are values like any other: 0 is zero, not "unset" (docs/design.md §4).
    @property
    def scale_low(self) -> int:
        """The lowest answer of a scale item: its `min`, else the default 1."""
        return DEFAULT_SCALE[0] if self.scale_min is None else self.scale_min

    @property
    def scale_high(self) -> int:
        """The highest answer of a scale item: its `max`, else the default 5."""
        return DEFAULT_SCALE[1] if self.scale_max is None else self.scale_max


class ItemOption(SQLModel, table=True):
    __tablename__ = "item_options"
    __table_args__ = (UniqueConstraint("item_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    text: LocalizedText = Field(default_factory=dict, sa_type=JSON)
    score: float
