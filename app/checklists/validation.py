"""Checklist file validation (docs/design.md §4): every problem at once, each with its line and item key.

The CLI, the API and the web editor all call `validate_checklist`, so they say the same words.
Field-level rules come from the pydantic `ChecklistDoc` (its error locations are mapped back to YAML
lines); rules that need the whole document (unique keys, texts in the default language, fields that
only fit some item types) are checked here on the raw data, so one run finds everything.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.checklists.schema import ChecklistDoc, ItemDoc, ItemType, Option, PassIf, TouchpointDoc
from app.checklists.source import Lines, Path, YamlSyntaxError, load_yaml
from app.i18n import N_, gettext

M = TypeVar("M", bound=BaseModel)
KeyOf = Callable[[Any, Path], str]
LANGUAGES = ("ru", "en")
UNSCORED = frozenset({ItemType.text, ItemType.evidence, ItemType.emotion})
_KNOWN_FIELDS = sorted({name for model in (ChecklistDoc, TouchpointDoc, ItemDoc, Option, PassIf)
                        for name in model.model_fields})


@dataclass
class Problem:
    """One thing wrong in a file: `str(problem)` is `file:line: key: message`."""

    file: str
    line: int
    key: str
    template: str  # N_-marked, with {placeholders}
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        translated = gettext(self.template)
        return translated.format(**self.params) if self.params else translated

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "key": self.key, "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class Report:
    """Collects problems for one file, placing each at the line of its path."""

    def __init__(self, filename: str, data: Any, lines: Lines, key_of: KeyOf) -> None:
        self.filename, self.data, self.lines, self.key_of = filename, data, lines, key_of
        self.problems: list[Problem] = []

    def add(self, path: Path, template: str, **params: Any) -> None:
        problem = Problem(self.filename, self.lines.line_of(path), self.key_of(self.data, path), template,
                          {name: show(value) for name, value in params.items()})
        if problem not in self.problems:
            self.problems.append(problem)

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda problem: problem.line)


def show(value: Any) -> Any:
    """A value as the file wrote it: YAML spells booleans true/false and nothing as null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def at(data: Any, path: Path) -> Any:
    """The value at `path`, or None where the data has another shape."""
    for step in path:
        in_list = isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data)
        if in_list or (isinstance(data, dict) and step in data):
            data = data[step]
        else:
            return None
    return data


def validate_source(text: str, filename: str, model: type[M], *, key_of: KeyOf,
                    rules: Callable[[Report], None], messages: dict[str, str] | None = None,
                    ) -> tuple[M | None, list[Problem]]:
    """Parse YAML, validate it against `model` and `rules`; the model only when nothing is wrong."""
    try:
        data, lines = load_yaml(text)
    except YamlSyntaxError as error:
        return None, [Problem(filename, error.line, "yaml", N_("YAML syntax error: {error}"),
                              {"error": error.message})]
    report = Report(filename, data, lines, key_of)
    if not isinstance(data, dict):
        report.add((), N_("the file must be a YAML mapping of fields, found {found}"),
                   found="nothing" if data is None else type(data).__name__)
        return None, report.problems
    for path, first, _line in lines.repeated:
        report.problems.append(Problem(filename, _line, key_of(data, path),
                                       N_("'{field}' is given twice (first on line {first})"),
                                       {"field": path[-1], "first": first}))
    try:
        result: M | None = model.model_validate(data)
    except ValidationError as error:
        result = None
        for detail in error.errors():
            translated = pydantic_message(detail, messages or {})
            if translated is not None:
                report.add(tuple(detail["loc"]), translated[0], **translated[1])
    rules(report)
    problems = report.sorted()
    return (result if not problems else None), problems


def validate_checklist(text: str, filename: str) -> tuple[ChecklistDoc | None, list[Problem]]:
    """Every problem of a checklist file, each with its line; the document only when there are none."""
    return validate_source(text, filename, ChecklistDoc, key_of=checklist_key, rules=checklist_rules,
                           messages=_PATTERNS)


def checklist_key(data: Any, path: Path) -> str:
    """The item or touchpoint a path belongs to, else the top-level field."""
    if len(path) < 2 or path[0] != "touchpoints" or not isinstance(path[1], int):
        return str(path[0]) if path else "file"
    tp_key = at(data, path[:2] + ("key",))
    tp_name = tp_key if isinstance(tp_key, str) and tp_key else f"touchpoint {path[1] + 1}"
    if len(path) >= 4 and path[2] == "items" and isinstance(path[3], int):
        item_key = at(data, path[:4] + ("key",))
        return item_key if isinstance(item_key, str) and item_key else f"{tp_name} item {path[3] + 1}"
    return tp_name


_PATTERNS = {
    "slug": N_("slug must be lowercase latin letters and digits joined by single hyphens, got '{value}'"),
    "touchpoint": N_("touchpoint key must be lowercase latin letters, digits and '_', got '{value}'"),
    "item": N_("item key must be lowercase latin letters, digits, '_' and '.', got '{value}'"),
    "option": N_("option key must be lowercase latin letters, digits and '_', got '{value}'"),
}
_RANGES = {"target": (0, 100), "score": (0, 1)}


def pydantic_message(error: Any, patterns: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """Plain English for one pydantic error: (N_ template, params), or None when `rules` says it.
    `patterns` holds the messages for wrong slugs/keys ("slug", "item", ...) and per error type."""
    loc = tuple(error["loc"])
    if any(isinstance(step, str) and (step == "str" or step.startswith("dict[")) for step in loc):
        return None  # a text field: check_text explains what is wrong with it
    names = [step for step in loc if isinstance(step, str)]
    name = names[-1] if names else "value"
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, _KNOWN_FIELDS, n=1, cutoff=0.75)
        if close:
            return N_("unknown field '{field}', did you mean '{suggestion}'?"), {"field": name,
                                                                                  "suggestion": close[0]}
        return N_("unknown field '{field}'"), {"field": name}
    if kind == "missing":
        if name == "score" and "options" in names:
            return N_("option '{option}' has no score (a number from 0 to 1)"), {
                "option": value.get("key", "?") if isinstance(value, dict) else "?"}
        return N_("'{field}' is required"), {"field": name}
    if kind == "greater_than":
        return N_("{field} must be greater than {limit}, got {value}"), {
            "field": name, "limit": ctx.get("gt"), "value": value}
    if kind in ("greater_than_equal", "less_than_equal") and name in _RANGES:
        low, high = _RANGES[name]
        return N_("{field} must be between {low} and {high}, got {value}"), {
            "field": name, "low": low, "high": high, "value": value}
    if kind == "string_pattern_mismatch":
        pattern = ("slug" if len(loc) == 1 else "option" if "options" in names
                   else "item" if "items" in names else "touchpoint")
        return patterns.get(pattern, N_("{field} has a wrong format, got '{value}'")), {"field": name,
                                                                                         "value": value}
    if kind == "enum":
        return N_("unknown item type '{value}', use one of: {expected}"), {
            "value": value, "expected": ", ".join(t.value for t in ItemType)}
    if kind == "literal_error":
        return N_("{field} must be one of {expected}, got '{value}'"), {"field": name, "value": value,
                                                                        "expected": ctx.get("expected")}
    simple = {
        "int_parsing": N_("{field} must be a whole number, got '{value}'"),
        "int_type": N_("{field} must be a whole number, got '{value}'"),
        "int_from_float": N_("{field} must be a whole number, got '{value}'"),
        "float_parsing": N_("{field} must be a number, got '{value}'"),
        "float_type": N_("{field} must be a number, got '{value}'"),
        "bool_parsing": N_("{field} must be true or false, got '{value}'"),
        "bool_type": N_("{field} must be true or false, got '{value}'"),
        "string_type": N_("{field} must be text, got '{value}' (put it in quotes)"),
        "string_too_long": N_("{field} must be at most {limit} characters long"),
        "list_type": N_("{field} must be a list (entries starting with '-')"),
        "dict_type": N_("{field} must be a mapping of fields"),
        "model_type": N_("{field} must be a mapping of fields"),
        "model_attributes_type": N_("{field} must be a mapping of fields"),
        "too_short": N_("{field} must have at least one entry"),
    }
    if kind in ("model_type", "model_attributes_type") and isinstance(loc[-1], int):
        return N_("each entry of {field} must be a mapping of fields"), {"field": name}
    if kind == "string_type" and isinstance(value, dict | list):
        return N_("{field} must be text"), {"field": name}
    template = patterns.get(kind) or simple.get(kind)
    if template:
        return template, {"field": name, "value": value, "limit": ctx.get("max_length")}
    return str(error["msg"]), {}


def check_text(report: Report, path: Path, language: str, *, required: bool = True) -> None:
    """A text is a plain string (the default language) or {ru: ..., en: ...} with the default one."""
    parent, name = at(report.data, path[:-1]), path[-1]
    if not isinstance(parent, dict) or name not in parent:
        return  # a missing required field is reported by the model
    value = parent[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        report.add(path, N_("{field} is empty"), field=name)
    elif isinstance(value, dict):
        for lang, text in value.items():
            if lang not in LANGUAGES:
                report.add(path + (lang,), N_("unknown language '{language}' in {field}, use ru or en"),
                           language=lang, field=name)
            elif not isinstance(text, str) or not text.strip():
                report.add(path + (lang,), N_("{field} in '{language}' must be a non-empty text"),
                           field=name, language=lang)
        if language not in value:
            report.add(path, N_("the {field} has no version in the default language '{language}'"),
                       field=name, language=language)
    elif not isinstance(value, str):
        report.add(path, N_("{field} must be a text or a mapping of languages (ru, en) to texts"), field=name)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def checklist_rules(report: Report) -> None:
    data = report.data
    language = data.get("language") if data.get("language") in LANGUAGES else "ru"
    check_text(report, ("title",), language)
    touchpoints = data.get("touchpoints")
    if not isinstance(touchpoints, list):
        return
    tp_lines: dict[str, int] = {}
    item_lines: dict[str, int] = {}
    for t, tp in enumerate(touchpoints):
        tp_path: Path = ("touchpoints", t)
        if not isinstance(tp, dict):
            continue
        check_text(report, tp_path + ("title",), language)
        check_text(report, tp_path + ("need",), language)
        _check_unique(report, tp_path + ("key",), tp.get("key"), tp_lines, N_("touchpoint"))
        items = tp.get("items")
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                _check_item(report, tp_path + ("items", i), item, language, item_lines)


def _check_unique(report: Report, path: Path, key: Any, seen: dict[str, int], what: str) -> None:
    if not isinstance(key, str):
        return
    if key in seen:
        report.add(path, N_("{what} key '{key}' is already used on line {line}"), what=gettext(what), key=key,
                   line=seen[key])
    else:
        seen[key] = report.lines.line_of(path)


def _check_item(report: Report, path: Path, item: dict[str, Any], language: str,
                item_lines: dict[str, int]) -> None:
    check_text(report, path + ("text",), language)
    check_text(report, path + ("help",), language)
    _check_unique(report, path + ("key",), item.get("key"), item_lines, N_("item"))
    try:
        kind = ItemType(str(item.get("type")))
    except ValueError:
        return  # the model reports the unknown type; rules by type cannot apply
    only = {"pass_if": ItemType.number, "unit": ItemType.number, "min": ItemType.scale,
            "max": ItemType.scale, "options": ItemType.choice}
    for name, allowed in only.items():
        if name in item and kind != allowed:
            report.add(path + (name,), N_("{field} applies only to {allowed} items, this one is {type}"),
                       field=name, allowed=allowed.value, type=kind.value)
    if kind in UNSCORED:
        if item.get("critical") is True:
            report.add(path + ("critical",), N_("a {type} item is not scored, so it cannot be critical"),
                       type=kind.value)
        for name in ("photo", "comment"):
            if item.get(name) == "required_on_fail":
                report.add(path + (name,),
                           N_("{field}: required_on_fail needs a scored item, this one is {type}"),
                           field=name, type=kind.value)
    if kind == ItemType.scale:
        low, high = item.get("min", 1), item.get("max", 5)
        if _number(low) and _number(high) and low >= high:
            report.add(path + ("min" if "min" in item else "max",),
                       N_("scale min must be less than max, got min {min} and max {max}"),
                       min=low, max=high)
    elif kind == ItemType.number:
        _check_pass_if(report, path, item.get("pass_if"))
    elif kind == ItemType.choice:
        _check_options(report, path, item.get("options"), language)


def _check_pass_if(report: Report, path: Path, pass_if: Any) -> None:
    if pass_if is None:
        report.add(path, N_("a number item needs pass_if with min, max or both, to be scored"))
    elif isinstance(pass_if, dict):
        low: Any = pass_if.get("min")
        high: Any = pass_if.get("max")
        if low is None and high is None:
            report.add(path + ("pass_if",), N_("pass_if needs min, max or both"))
        elif _number(low) and _number(high) and low > high:
            report.add(path + ("pass_if",),
                       N_("pass_if min must not be greater than max, got min {min} and max {max}"),
                       min=low, max=high)


def _check_options(report: Report, path: Path, options: Any, language: str) -> None:
    if not options:
        report.add(path + (("options",) if options is not None else ()),
                   N_("a choice item needs options, each with a key, text and score"))
        return
    if not isinstance(options, list):
        return
    seen: dict[str, int] = {}
    for n, option in enumerate(options):
        if isinstance(option, dict):
            check_text(report, path + ("options", n, "text"), language)
            _check_unique(report, path + ("options", n, "key"), option.get("key"), seen, N_("option"))
