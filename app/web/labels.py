"""Every code the interface shows, in the reader's language: one lookup for statuses, channels, item
types, roles, units, policies and checklist field names, registered as Jinja filters.

Templates never print a stored code: `{{ audit.status | label("audit_status") }}`, `{{ item.unit | unit }}`,
`{{ item | pass_rule }}`, `{{ option | option_label }}`, `{{ value | emotion }}`. An unknown value
is shown as it is (a unit a checklist author typed, "шт"), so a new code is visible, never lost.
`CODES` lists every code here: the crawl test fails when one appears as text on a Russian page.
"""

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

from app.i18n import N_, current_language, gettext, localized

AUDIT_STATUS = {"draft": N_("draft"), "submitted": N_("waiting for review"), "returned": N_("returned to the shopper"),
                "approved": N_("accepted"), "rejected": N_("rejected")}
ACTION_STATUS = {"open": N_("Open"), "in_progress": N_("In progress"), "done": N_("Done, awaiting a visit"),
                 "verified": N_("Verified")}
ACTION_KIND = {"gap": N_("gap"), "idea": N_("idea")}
ROLE = {"shopper": N_("Shopper"), "qa_lead": N_("QA lead"), "director": N_("Director"),
        "manager": N_("Clinic manager"), "admin": N_("Administrator")}
DECISION = {"approve": N_("Approved"), "return": N_("Returned"), "reject": N_("Rejected")}
CHANNEL = {"phone": N_("phone"), "site": N_("website"), "messenger": N_("messenger"), "clinic": N_("in the clinic"),
           "email": N_("e-mail"), "other": N_("other channel")}
ITEM_TYPE = {"yes_no": N_("yes / no"), "scale": N_("scale"), "number": N_("number"), "choice": N_("choice"),
             "text": N_("text"), "evidence": N_("evidence (file)"), "emotion": N_("emotion")}
CRITICAL_POLICY = {"flag": N_("flag the failure"), "zero_touchpoint": N_("touchpoint scores zero")}
PHOTO_POLICY = {"none": N_("no photo"), "optional": N_("photo optional"), "required": N_("photo required"),
                "required_on_fail": N_("photo required on failure")}
COMMENT_POLICY = {"optional": N_("comment optional"), "required_on_fail": N_("comment required on failure")}
LANGUAGE = {"ru": N_("Russian"), "en": N_("English")}
# Field names of the checklist document, as the diff and the editor's problems name them.
DOC_FIELD = {"title": N_("title"), "language": N_("language"), "critical_policy": N_("critical policy"),
             "target": N_("target"), "weight": N_("weight"), "need": N_("need"), "channel": N_("channel"),
             "text": N_("question"), "help": N_("hint"), "type": N_("type"), "unit": N_("unit"),
             "pass_if": N_("passes if"), "min": N_("minimum"), "max": N_("maximum"), "options": N_("options"),
             "critical": N_("critical"), "allow_na": N_("N/A allowed"), "required": N_("required"),
             "photo": N_("photo"), "comment": N_("comment"), "touchpoint": N_("touchpoint"),
             "items": N_("items"), "touchpoints": N_("touchpoints"), "slug": N_("slug"), "key": N_("key")}
UNIT = {"s": N_("s"), "sec": N_("s"), "min": N_("min"), "h": N_("h"), "days": N_("days"), "day": N_("days"),
        "rub": N_("RUB"), "pcs": N_("pcs")}

TABLES: dict[str, Mapping[str, str]] = {
    "audit_status": AUDIT_STATUS, "action_status": ACTION_STATUS,
    "action_kind": ACTION_KIND, "role": ROLE, "decision": DECISION, "channel": CHANNEL, "item_type": ITEM_TYPE,
    "critical_policy": CRITICAL_POLICY, "photo_policy": PHOTO_POLICY, "comment_policy": COMMENT_POLICY,
    "language": LANGUAGE, "doc_field": DOC_FIELD, "unit": UNIT,
}
# Emotion answers are stored as -2..2; shown as a face and a word.
EMOTIONS = ((-2, "😣", N_("Very bad")), (-1, "😞", N_("Bad")), (0, "😐", N_("Neutral")),
            (1, "😊", N_("Good")), (2, "😄", N_("Very good")))

# The codes a reader must never see as words; the units are left out ("min" and "s" are also
# ordinary Latin abbreviations in English pages, and the crawl checks Russian pages for them apart).
CODES = frozenset(code for name, table in TABLES.items() if name not in {"unit", "doc_field", "language"}
                  for code in table) | {"pass_if", "allow_na", "required_on_fail", "zero_touchpoint", "in_progress"}


def label(value: object, table: str) -> str:
    """The reader's word for `value` in the named table; the value itself if the table lacks it."""
    if value is None:
        return ""
    text = str(getattr(value, "value", value))
    entry = TABLES[table].get(text)
    return gettext(entry) if entry else text


def unit(value: str | None) -> str:
    return label(value, "unit") if value else ""


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",") if current_language() == "ru" else f"{value:g}"


def pass_rule_text(minimum: float | None, maximum: float | None, unit_code: str | None = None) -> str:
    """`pass_if` as words: "no more than 30 s", "at least 4", "from 2 to 5 min"; "" when there is none."""
    suffix = f" {unit(unit_code)}" if unit_code else ""
    if minimum is not None and maximum is not None:
        return gettext("from %(low)s to %(high)s") % {"low": _number(minimum), "high": _number(maximum)} + suffix
    if maximum is not None:
        return gettext("no more than %(value)s") % {"value": _number(maximum)} + suffix
    if minimum is not None:
        return gettext("at least %(value)s") % {"value": _number(minimum)} + suffix
    return ""


def _get(thing: Any, name: str) -> Any:
    return thing.get(name) if isinstance(thing, Mapping) else getattr(thing, name, None)


def pass_rule(item: Any) -> str:
    """The pass rule of an item: a stored Item (pass_min/pass_max), a document item or its `pass_if`."""
    rule = _get(item, "pass_if")
    unit_code = _get(item, "unit")
    if rule is not None:
        return pass_rule_text(_get(rule, "min"), _get(rule, "max"), unit_code)
    if _get(item, "pass_min") is not None or _get(item, "pass_max") is not None:
        return pass_rule_text(_get(item, "pass_min"), _get(item, "pass_max"), unit_code)
    if _get(item, "min") is not None or _get(item, "max") is not None:  # the PassIf itself
        return pass_rule_text(_get(item, "min"), _get(item, "max"))
    return ""


def option_label(option: Any) -> str:
    """A choice option as its text and what it scores: "Short (score 1)"."""
    text = localized(_get(option, "text"))
    score = _get(option, "score")
    if score is None:
        return text
    return gettext("%(text)s (score %(score)s)") % {"text": text, "score": _number(float(score))}


def emotion(value: object) -> str:
    """An emotion answer (-2..2, as stored or as text) as its face and word: "😊 Good"."""
    try:
        number = int(float(str(value)))
    except ValueError:
        return str(value)
    for code, face, word in EMOTIONS:
        if code == number:
            return f"{face} {gettext(word)}"
    return str(value)


def register(env: Environment) -> None:
    env.filters["label"] = label
    env.filters["unit"] = unit
    env.filters["pass_rule"] = pass_rule
    env.filters["option_label"] = option_label
    env.filters["emotion"] = emotion
