"""What an answer means for its item: which values an item type accepts, and when an answer fails.

`parse_answer` turns a value from JSON or a form into the stored columns (yes_no 1/0, scale, number
and emotion in value_num; choice key and text in value_text) or raises BadAnswer with a message
for the shopper. "Failing" is an item score below 1; it decides when a comment or photo is required.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.checklists.models import Item
from app.checklists.schema import ItemType
from app.i18n import N_, gettext

MAX_TEXT = 5000
EMOTIONS = (-2, -1, 0, 1, 2)
YES = frozenset({"yes", "true"})
NO = frozenset({"no", "false"})


class BadAnswer(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params
        super().__init__(message)

    def text(self) -> str:
        return gettext(self.message).format(**self.params)


@dataclass(frozen=True)
class Parsed:
    value_num: float | None
    value_text: str | None
    na: bool
    comment: str | None


def parse_answer(item: Item, option_keys: list[str], value: Any, *, na: bool = False,
                 comment: Any = None) -> Parsed:
    """The columns to store for this answer. Raises BadAnswer. An empty value clears the answer."""
    clean_comment = _comment(comment)
    if na:
        if not item.allow_na:
            raise BadAnswer(N_("This question cannot be marked not applicable."))
        return Parsed(None, None, True, clean_comment)
    if isinstance(value, str) and not value.strip():
        value = None
    if value is None:
        return Parsed(None, None, False, clean_comment)
    if item.type == ItemType.evidence:
        raise BadAnswer(N_("This question takes photos or recordings, not a value."))
    if item.type == ItemType.yes_no:
        return Parsed(_yes_no(value), None, False, clean_comment)
    if item.type == ItemType.scale:
        low, high = item.scale_low, item.scale_high
        number = _whole(value)
        if number is None or not low <= number <= high:
            raise BadAnswer(N_("Choose a whole number from {min} to {max}."), min=low, max=high)
        return Parsed(float(number), None, False, clean_comment)
    if item.type == ItemType.emotion:
        number = _whole(value)
        if number not in EMOTIONS:
            raise BadAnswer(N_("Choose a face from -2 to +2."))
        return Parsed(float(number), None, False, clean_comment)
    if item.type == ItemType.number:
        return Parsed(_number(value), None, False, clean_comment)
    if item.type == ItemType.choice:
        if not isinstance(value, str) or value not in option_keys:
            raise BadAnswer(N_("Choose one of: {options}."), options=", ".join(option_keys))
        return Parsed(None, value, False, clean_comment)
    if item.type == ItemType.text:
        if not isinstance(value, str):
            raise BadAnswer(N_("Write the answer as text."))
        if len(value) > MAX_TEXT:
            raise BadAnswer(N_("The text is longer than {max} characters."), max=MAX_TEXT)
        return Parsed(None, value.strip(), False, clean_comment)
    raise BadAnswer(N_("This question has an unknown type."))


def _comment(comment: Any) -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise BadAnswer(N_("The comment must be text."))
    if len(comment) > MAX_TEXT:
        raise BadAnswer(N_("The comment is longer than {max} characters."), max=MAX_TEXT)
    return comment.strip() or None


def _yes_no(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str) and value.strip().lower() in YES | NO:
        return 1.0 if value.strip().lower() in YES else 0.0
    raise BadAnswer(N_("Answer yes or no."))


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip().lstrip("+"))
        except ValueError:
            return None
    return None


def _number(value: Any) -> float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:  # phones with a Russian keyboard type a decimal comma
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise BadAnswer(N_("Enter a number."))
    return number


def is_answered(item: Item, value_num: float | None, value_text: str | None, na: bool) -> bool:
    return na or value_num is not None or bool(value_text)


def is_failing(item: Item, value_num: float | None, value_text: str | None, na: bool,
               option_scores: Mapping[str, float]) -> bool:
    """True when the answer's item score is below 1: yes_no no, scale below its max, number outside
    pass_if, a choice scored below 1. N/A, unanswered and unscored types never fail."""
    if na:
        return False
    if item.type == ItemType.yes_no:
        return value_num == 0
    if item.type == ItemType.scale:
        return value_num is not None and value_num < item.scale_high
    if item.type == ItemType.number:
        if value_num is None:
            return False
        return ((item.pass_min is not None and value_num < item.pass_min)
                or (item.pass_max is not None and value_num > item.pass_max))
    if item.type == ItemType.choice:
        return value_text is not None and option_scores.get(value_text, 1.0) < 1
    return False


def form_value(item: Item, value_num: float | None, value_text: str | None) -> str:
    """The stored value as a form shows it: "yes"/"no", a whole number, a number without ".0", a key."""
    if value_num is None:
        return value_text or ""
    if item.type == ItemType.yes_no:
        return "yes" if value_num else "no"
    if value_num.is_integer():
        return str(int(value_num))
    return repr(value_num)


def json_value(item: Item, value_num: float | None, value_text: str | None) -> float | str | None:
    """The stored value as the API gives it: yes_no true/false, scale and emotion whole numbers."""
    if value_num is None:
        return value_text
    if item.type == ItemType.yes_no:
        return bool(value_num)
    if item.type in (ItemType.scale, ItemType.emotion):
        return int(value_num)
    return value_num
