"""A draft touchpoint as the shopper's phone form shows it: unsaved `Item` rows built from the draft's
document, wrapped in the fieldwork `ItemView`, so the preview renders the very same item partial."""

from dataclasses import dataclass
from typing import Any

from app.checklists.models import DEFAULT_SCALE, Item, ItemOption, Touchpoint
from app.errors import NotFound
from app.fieldwork.screens import ItemView
from app.fieldwork.submission import item_state


@dataclass(frozen=True)
class PreviewAudit:
    """Stands in for the audit the item partial links to; nothing is ever saved from a preview."""

    id: int = 0


@dataclass
class PreviewScreen:
    touchpoints: list[Touchpoint]
    touchpoint: Touchpoint
    items: list[ItemView]
    audit: PreviewAudit


def _number(value: Any, default: float | None) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _text(value: Any, language: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {language: str(value)} if value else {}


def _item(data: dict[str, Any], position: int, language: str) -> tuple[Item, list[ItemOption]]:
    raw_pass_if = data.get("pass_if")
    pass_if: dict[str, Any] = raw_pass_if if isinstance(raw_pass_if, dict) else {}
    is_scale = data.get("type") == "scale"
    low, high = _number(data.get("min"), DEFAULT_SCALE[0]), _number(data.get("max"), DEFAULT_SCALE[1])
    item = Item(version_id=0, touchpoint_id=0, key=str(data.get("key") or f"item_{position + 1}"),
                position=position, type=str(data.get("type") or "yes_no"), text=_text(data.get("text"), language),
                help=_text(data.get("help"), language) or None, unit=data.get("unit"),
                pass_min=_number(pass_if.get("min"), None), pass_max=_number(pass_if.get("max"), None),
                scale_min=int(low) if is_scale and low is not None else None,
                scale_max=int(high) if is_scale and high is not None else None,
                weight=_number(data.get("weight"), 1.0) or 1.0, critical=data.get("critical") is True,
                allow_na=data.get("allow_na") is True, required=data.get("required") is not False,
                photo=str(data.get("photo") or "none"), comment=str(data.get("comment") or "optional"))
    options = [ItemOption(item_id=0, key=str(o.get("key") or ""), position=n, text=_text(o.get("text"), language),
                          score=_number(o.get("score"), 0.0) or 0.0)
               for n, o in enumerate(data.get("options") or []) if isinstance(o, dict)]
    return item, options


def preview_screen(document: dict[str, Any], touchpoint_key: str | None) -> PreviewScreen:
    """The touchpoint (the first one by default) of a draft, as unanswered, editable shopper items.
    Works on an invalid draft too, showing what can be shown. Raises NotFound for an unknown key."""
    language = str(document.get("language") or "ru")
    raw = [tp for tp in document.get("touchpoints") or [] if isinstance(tp, dict)]
    touchpoints = [Touchpoint(version_id=0, key=str(tp.get("key") or f"touchpoint_{n + 1}"), position=n,
                              title=_text(tp.get("title"), language), need=_text(tp.get("need"), language) or None)
                   for n, tp in enumerate(raw)]
    if not touchpoints:
        raise NotFound()
    keys = [tp.key for tp in touchpoints]
    if touchpoint_key is not None and touchpoint_key not in keys:
        raise NotFound()
    index = keys.index(touchpoint_key) if touchpoint_key else 0
    views = []
    for position, data in enumerate(raw[index].get("items") or []):
        if not isinstance(data, dict):
            continue
        item, options = _item(data, position, language)
        state = item_state(item, None, 0, {o.key: o.score for o in options})
        views.append(ItemView(item, options, None, [], state, editable=True))
    return PreviewScreen(touchpoints, touchpoints[index], views, PreviewAudit())
