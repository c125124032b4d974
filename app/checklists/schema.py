"""The checklist document (docs/design.md §4) as pydantic models that forbid unknown fields.

The YAML file, the JSON API and the web editor all produce this same document; rules that need
the whole document (unique keys, texts in the default language) live in `validation.py`.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
TouchpointKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", max_length=60)]
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]+$", max_length=120)]
OptionKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", max_length=60)]
Language = Literal["ru", "en"]
# A plain string is in the checklist's default language; a mapping gives each language.
Text = str | dict[Language, str]
Percent = Annotated[float, Field(ge=0, le=100)]
Weight = Annotated[float, Field(gt=0)]


class ItemType(StrEnum):
    yes_no = "yes_no"
    scale = "scale"
    number = "number"
    choice = "choice"
    text = "text"
    evidence = "evidence"
    emotion = "emotion"


SCORED_TYPES = frozenset({ItemType.yes_no, ItemType.scale, ItemType.number, ItemType.choice})
BINARY_TYPES = frozenset({ItemType.yes_no, ItemType.number})  # 0/1 scores: Wilson intervals apply


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PassIf(Strict):
    min: float | None = None
    max: float | None = None


class Option(Strict):
    key: OptionKey
    text: Text
    score: Annotated[float, Field(ge=0, le=1)]


class ItemDoc(Strict):
    key: ItemKey
    text: Text
    help: Text | None = None
    type: ItemType
    unit: str | None = Field(default=None, max_length=20)
    pass_if: PassIf | None = None
    min: int | None = None  # scale range, default 1..5
    max: int | None = None
    options: list[Option] | None = None
    weight: Weight = 1.0
    critical: bool = False
    allow_na: bool = False
    required: bool = True
    photo: Literal["none", "optional", "required", "required_on_fail"] = "none"
    comment: Literal["optional", "required_on_fail"] = "optional"


class TouchpointDoc(Strict):
    key: TouchpointKey
    title: Text
    weight: Weight = 1.0
    target: Percent | None = None
    need: Text | None = None
    channel: Literal["phone", "site", "messenger", "clinic", "email", "other"] | None = None
    items: list[ItemDoc] = Field(min_length=1)


class ChecklistDoc(Strict):
    slug: Slug
    title: Text
    language: Language = "ru"
    critical_policy: Literal["flag", "zero_touchpoint"] = "flag"
    target: Percent = 85.0
    touchpoints: list[TouchpointDoc] = Field(min_length=1)
