"""What changed between two checklist documents (versions or a draft): a pure function over the
YAML-shaped dicts, so it can be tested without a database.

Items are matched by key; a key renamed in the newer version ({old: new}) is followed, so a renamed
item shows as renamed (and changed, if it was), not as removed and added.
"""

from dataclasses import dataclass, field
from typing import Any

from app.i18n import gettext
from app.web import labels

CHECKLIST_FIELDS = ("title", "language", "critical_policy", "target")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Changed:
    key: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class Entry:
    key: str
    touchpoint: str | None = None


@dataclass
class Diff:
    checklist: list[FieldChange] = field(default_factory=list)
    touchpoints_added: list[Entry] = field(default_factory=list)
    touchpoints_removed: list[Entry] = field(default_factory=list)
    touchpoints_changed: list[Changed] = field(default_factory=list)
    items_added: list[Entry] = field(default_factory=list)
    items_removed: list[Entry] = field(default_factory=list)
    items_changed: list[Changed] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any((self.checklist, self.touchpoints_added, self.touchpoints_removed,
                        self.touchpoints_changed, self.items_added, self.items_removed, self.items_changed,
                        self.renamed))


def _field_changes(old: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...]) -> list[FieldChange]:
    names = list(dict.fromkeys([*old, *new]))
    return [FieldChange(name, old.get(name), new.get(name)) for name in names
            if name not in skip and old.get(name) != new.get(name)]


def _touchpoints(document: dict[str, Any]) -> list[dict[str, Any]]:
    touchpoints = document.get("touchpoints")
    return [tp for tp in touchpoints if isinstance(tp, dict)] if isinstance(touchpoints, list) else []


def _items(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Item key → (touchpoint key, item), in journey order; later duplicates are ignored."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for tp in _touchpoints(document):
        for item in tp.get("items") or []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                found.setdefault(item["key"], (str(tp.get("key")), item))
    return found


def diff_documents(old: dict[str, Any], new: dict[str, Any], renamed: dict[str, str] | None = None) -> Diff:
    """Everything that differs from `old` to `new`: checklist fields, touchpoints added, removed and
    changed (weight, target, titles, ...), items added, removed and changed field by field (moving
    to another touchpoint shows as a change of "touchpoint"), and keys renamed ({old: new})."""
    renamed = dict(renamed or {})
    result = Diff(checklist=_field_changes({k: old.get(k) for k in CHECKLIST_FIELDS if k in old},
                                           {k: new.get(k) for k in CHECKLIST_FIELDS if k in new}, ()))
    old_tps = {str(tp.get("key")): tp for tp in _touchpoints(old)}
    new_tps = {str(tp.get("key")): tp for tp in _touchpoints(new)}
    for key, tp in new_tps.items():
        if key not in old_tps:
            result.touchpoints_added.append(Entry(key))
        else:
            changes = _field_changes(old_tps[key], tp, ("key", "items"))
            if changes:
                result.touchpoints_changed.append(Changed(key, changes))
    result.touchpoints_removed = [Entry(key) for key in old_tps if key not in new_tps]

    old_items, new_items = _items(old), _items(new)
    previous_key = {new_key: old_key for old_key, new_key in renamed.items()}
    matched: set[str] = set()
    for key, (tp_key, item) in new_items.items():
        old_key = previous_key.get(key, key)
        if old_key not in old_items:
            result.items_added.append(Entry(key, tp_key))
            continue
        matched.add(old_key)
        if old_key != key:
            result.renamed[old_key] = key
        old_tp, old_item = old_items[old_key]
        changes = _field_changes(old_item, item, ("key",))
        if old_tp != tp_key:
            changes.insert(0, FieldChange("touchpoint", old_tp, tp_key))
        if changes:
            result.items_changed.append(Changed(key, changes))
    result.items_removed = [Entry(key, tp_key) for key, (tp_key, _item) in old_items.items() if key not in matched]
    return result


# Fields whose values are codes: the diff shows them in the reader's words (app/web/labels.py).
_CODED_FIELDS = {"type": "item_type", "channel": "channel", "critical_policy": "critical_policy",
                 "photo": "photo_policy", "comment": "comment_policy", "language": "language", "unit": "unit"}


def describe(value: Any, field_name: str | None = None) -> str:
    """A changed value for people: texts as "ru: … / en: …", options as "text (score 1)", pass
    rules as words, codes (types, channels, policies) as labels, — for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field_name in _CODED_FIELDS and isinstance(value, str):
        return labels.label(value, _CODED_FIELDS[field_name])
    if field_name == "pass_if" and isinstance(value, dict):
        return labels.pass_rule_text(value.get("min"), value.get("max")) or "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return " / ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list):
        parts = []
        for entry in value:
            if isinstance(entry, dict) and "key" in entry:
                parts.append(labels.option_label(entry) if "text" in entry
                             else f"{entry['key']} ({describe(entry.get('score'))})")
            else:
                parts.append(describe(entry))
        return ", ".join(parts)
    return str(value)
