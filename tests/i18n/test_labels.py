"""One label lookup for every code the interface shows (app/web/labels.py), checked against the app's
own enums so a new status or channel cannot reach a page untranslated."""

import typing
from collections.abc import Iterator
from enum import StrEnum

import pytest

from app import i18n
from app.accounts.models import Role
from app.actions.models import ActionStatus
from app.checklists.schema import ChecklistDoc, ItemDoc, ItemType, Option, PassIf, TouchpointDoc
from app.fieldwork.models import AuditStatus
from app.review.service import Decision
from app.web import labels
from app.web.templating import templates


@pytest.fixture
def russian() -> Iterator[None]:
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


def _literal_values(model: type, field: str) -> list[str]:
    annotation = model.model_fields[field].annotation  # type: ignore[attr-defined]
    return [v for arg in typing.get_args(annotation) or [annotation] for v in typing.get_args(arg) or [arg]
            if isinstance(v, str)]


ENUMS: list[tuple[str, list[str]]] = [
    ("audit_status", list(AuditStatus)), ("action_status", list(ActionStatus)), ("role", list(Role)),
    ("item_type", list(ItemType)), ("decision", [d.value for d in Decision]),
    ("channel", _literal_values(TouchpointDoc, "channel")),
    ("critical_policy", _literal_values(ChecklistDoc, "critical_policy")),
    ("photo_policy", _literal_values(ItemDoc, "photo")), ("comment_policy", _literal_values(ItemDoc, "comment")),
    ("doc_field", list(ItemDoc.model_fields) + list(TouchpointDoc.model_fields) + list(ChecklistDoc.model_fields)),
]


@pytest.mark.parametrize(("table", "values"), ENUMS, ids=[name for name, _values in ENUMS])
def test_every_value_of_the_apps_enums_has_a_russian_word(russian: None, table: str, values: list[str]) -> None:
    shown = {value: labels.label(value, table) for value in values}

    untranslated = [value for value, word in shown.items() if word == value or not word.strip()]

    assert values and not untranslated, f"{table}: no Russian label for {untranslated}"


def test_an_enum_member_is_looked_up_by_its_value(russian: None) -> None:
    assert labels.label(AuditStatus.approved, "audit_status") == labels.label("approved", "audit_status") != "approved"


def test_an_unknown_value_is_shown_as_it_is_rather_than_hidden(russian: None) -> None:
    assert labels.label("шт", "unit") == "шт"
    assert labels.label(None, "audit_status") == ""


def test_an_unknown_table_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        labels.label("draft", "no_such_table")


def test_pass_rule_reads_as_words_with_the_unit(russian: None) -> None:
    item = ItemDoc(key="call.answer_time", text="Ответили за", type=ItemType.number, unit="s",
                   pass_if=PassIf(max=30))

    assert labels.pass_rule(item) == "не более 30 с"
    assert labels.pass_rule({"pass_if": {"min": 2.5, "max": 5}, "unit": "min"}) == "от 2,5 до 5 мин"
    assert labels.pass_rule({"pass_min": 4, "pass_max": None, "unit": None}) == "не менее 4"
    assert labels.pass_rule({"pass_if": None, "unit": "s"}) == ""


def test_pass_rule_in_english_keeps_the_decimal_point() -> None:
    i18n.set_language("en")

    assert labels.pass_rule({"pass_if": {"max": 1.5}, "unit": "days"}) == "no more than 1.5 days"


def test_an_option_shows_its_text_and_score(russian: None) -> None:
    option = Option(key="none", text={"ru": "Не было", "en": "None"}, score=1.0)

    assert labels.option_label(option) == "Не было (балл 1)"


def test_an_emotion_answer_is_a_face_and_a_word(russian: None) -> None:
    assert labels.emotion(1) == "😊 Хорошо"
    assert labels.emotion("-2") == "😣 Очень плохо"
    assert labels.emotion("7") == "7"


def test_the_filters_are_registered_for_every_template(russian: None) -> None:
    rendered = templates.env.from_string(
        '{{ "approved" | label("audit_status") }} · {{ "s" | unit }} · {{ 2 | emotion }}').render()

    assert rendered == "принято · с · 😄 Очень хорошо"


def test_the_codes_list_covers_every_enum_the_interface_shows() -> None:
    enums = (AuditStatus, ActionStatus, Role, ItemType)
    enum_codes = {str(v) for enum in enums for v in typing.cast(type[StrEnum], enum)}

    assert enum_codes <= labels.CODES
    assert {"zero_touchpoint", "required_on_fail", "site", "pass_if"} <= labels.CODES
