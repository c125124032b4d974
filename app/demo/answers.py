"""Plausible answers for a demo visit: each touchpoint passes with the clinic's chance for that wave,
so branches differ the way real ones do (and reports have something to say)."""

import random
from dataclasses import dataclass

from app.checklists.models import Item, ItemOption

FAIL_COMMENTS = (
    "Администратор отвлекался на телефон, пришлось повторить вопрос.",
    "Ответ был формальным, без подробностей.",
    "Пришлось напомнить самой, никто не предложил.",
    "Не было видно, чтобы это вообще делали.",
)
NOTES = ("Приятная музыка в холле.", "Кофе предложили сразу.", "Парковка занята, искала 10 минут.", "")


@dataclass(frozen=True)
class DemoAnswer:
    item_key: str
    value: object
    na: bool = False
    comment: str | None = None
    passed: bool = True


def answer_item(item: Item, options: list[ItemOption], chance: float, rng: random.Random) -> DemoAnswer | None:
    """An answer for one item, or None to leave it out (evidence, or an optional item skipped)."""
    if item.type == "evidence":
        return None
    if not item.required and rng.random() < 0.5:
        return None
    if item.allow_na and rng.random() < 0.08:
        return DemoAnswer(item.key, None, na=True)
    passed = rng.random() < chance
    comment = rng.choice(FAIL_COMMENTS) if not passed and item.comment == "required_on_fail" else None
    if item.type == "yes_no":
        return DemoAnswer(item.key, passed, comment=comment, passed=passed)
    if item.type == "scale":
        low, high = item.scale_low, item.scale_high
        value = high if passed else rng.randint(low, max(low, high - 1))
        return DemoAnswer(item.key, value, comment=comment, passed=passed)
    if item.type == "number":
        return DemoAnswer(item.key, _number(item, passed, rng), comment=comment, passed=passed)
    if item.type == "choice":
        best = max(options, key=lambda o: o.score)
        worse = [o for o in options if o.score < best.score] or [best]
        return DemoAnswer(item.key, best.key if passed else rng.choice(worse).key, comment=comment, passed=passed)
    if item.type == "emotion":
        mood = round((chance - 0.5) * 4 + rng.uniform(-1, 1))
        return DemoAnswer(item.key, max(-2, min(2, mood)))
    if item.type == "text":
        return DemoAnswer(item.key, rng.choice(NOTES) or "—")
    return None


def _number(item: Item, passed: bool, rng: random.Random) -> float:
    low, high = item.pass_min, item.pass_max
    if low is None and high is None:
        return float(rng.randint(1, 30))
    if passed:
        start = low if low is not None else max(0.0, (high or 0) / 4)
        end = high if high is not None else start * 2 + 10
        return float(round(rng.uniform(start, end)))
    if high is not None:
        return float(round(high * rng.uniform(1.3, 4)))
    return float(round((low or 0) * rng.uniform(0.2, 0.8)))
