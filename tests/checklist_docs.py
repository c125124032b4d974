"""Small checklist documents for tests, as plain dicts (the shape of the YAML files)."""

from typing import Any


def small_checklist(slug: str = "test-clinic", **overrides: Any) -> dict[str, Any]:
    """Two touchpoints covering every item type; call.greeting is critical."""
    doc: dict[str, Any] = {
        "slug": slug,
        "title": {"en": "Test visit", "ru": "Тестовый визит"},
        "language": "en",
        "target": 80,
        "touchpoints": [
            {"key": "call", "title": "Phone call", "weight": 1.0, "target": 90, "channel": "phone", "items": [
                {"key": "call.answer_time", "text": "Seconds until answered", "type": "number", "unit": "s",
                 "pass_if": {"max": 20}, "weight": 2},
                {"key": "call.greeting", "text": "Named the clinic", "type": "yes_no", "critical": True,
                 "comment": "required_on_fail"},
                {"key": "call.callback", "text": "Offered a call back", "type": "yes_no", "allow_na": True},
                {"key": "call.mood", "text": "How did you feel", "type": "emotion"},
            ]},
            {"key": "reception", "title": "Reception", "weight": 2.0, "items": [
                {"key": "reception.politeness", "text": "Politeness", "type": "scale", "min": 1, "max": 5},
                {"key": "reception.wait", "text": "Waiting", "type": "choice", "options": [
                    {"key": "short", "text": "Under 10 minutes", "score": 1},
                    {"key": "medium", "text": "10 to 20 minutes", "score": 0.5},
                    {"key": "long", "text": "Over 20 minutes", "score": 0}]},
                {"key": "reception.notes", "text": "Anything else", "type": "text", "required": False},
                {"key": "reception.photo", "text": "Photo of the desk", "type": "evidence", "photo": "required"},
            ]},
        ],
    }
    doc.update(overrides)
    return doc
