import copy
from typing import Any

from app.checklists.diff import FieldChange, describe, diff_documents
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import canonical
from tests.checklist_docs import small_checklist


def _doc() -> dict[str, Any]:
    return canonical(ChecklistDoc.model_validate(small_checklist()))


def _item(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(i for tp in doc["touchpoints"] for i in tp["items"] if i["key"] == key)


def test_same_document_has_no_changes() -> None:
    result = diff_documents(_doc(), _doc())

    assert result.empty


def test_diff_lists_exactly_a_weight_change_an_added_choice_item_a_removed_item_and_a_renamed_key() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    _item(new, "call.answer_time")["weight"] = 3.0
    new["touchpoints"][1]["items"].append({"key": "reception.water", "text": {"en": "Water offered"},
                                           "type": "choice", "weight": 1.0, "options": [
                                               {"key": "yes", "text": {"en": "Yes"}, "score": 1.0}]})
    new["touchpoints"][1]["items"] = [i for i in new["touchpoints"][1]["items"] if i["key"] != "reception.notes"]
    _item(new, "call.callback")["key"] = "call.call_back"

    result = diff_documents(old, new, {"call.callback": "call.call_back"})

    assert [(c.key, c.changes) for c in result.items_changed] == [
        ("call.answer_time", [FieldChange("weight", 2.0, 3.0)])]
    assert [(e.key, e.touchpoint) for e in result.items_added] == [("reception.water", "reception")]
    assert [(e.key, e.touchpoint) for e in result.items_removed] == [("reception.notes", "reception")]
    assert result.renamed == {"call.callback": "call.call_back"}
    assert not result.touchpoints_added and not result.touchpoints_removed and not result.touchpoints_changed
    assert not result.checklist


def test_renamed_key_without_the_rename_record_is_a_removal_and_an_addition() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    _item(new, "call.callback")["key"] = "call.call_back"

    result = diff_documents(old, new)

    assert [e.key for e in result.items_added] == ["call.call_back"]
    assert [e.key for e in result.items_removed] == ["call.callback"]
    assert result.renamed == {}


def test_renamed_and_changed_item_shows_both() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    _item(new, "call.callback").update(key="call.call_back", critical=True)

    result = diff_documents(old, new, {"call.callback": "call.call_back"})

    assert result.renamed == {"call.callback": "call.call_back"}
    assert [(c.key, c.changes) for c in result.items_changed] == [
        ("call.call_back", [FieldChange("critical", False, True)])]


def test_touchpoint_weight_target_added_and_removed() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    new["touchpoints"][0]["weight"] = 2.5
    new["touchpoints"][0]["target"] = 95.0
    removed = new["touchpoints"].pop(1)
    new["touchpoints"].append({"key": "follow_up", "title": {"en": "Follow-up"}, "weight": 1.0,
                               "items": removed["items"]})

    result = diff_documents(old, new)

    assert [(c.key, c.changes) for c in result.touchpoints_changed] == [
        ("call", [FieldChange("weight", 1.0, 2.5), FieldChange("target", 90.0, 95.0)])]
    assert [e.key for e in result.touchpoints_added] == ["follow_up"]
    assert [e.key for e in result.touchpoints_removed] == ["reception"]
    moved = {c.key: c.changes for c in result.items_changed}
    assert moved["reception.wait"] == [FieldChange("touchpoint", "reception", "follow_up")]
    assert not result.items_added and not result.items_removed


def test_option_score_change_and_checklist_target_change() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    _item(new, "reception.wait")["options"][1]["score"] = 0.25
    new["target"] = 90.0

    result = diff_documents(old, new)

    assert result.checklist == [FieldChange("target", 80.0, 90.0)]
    change = result.items_changed[0]
    assert change.key == "reception.wait" and [c.field for c in change.changes] == ["options"]
    assert "(score 0.25)" in describe(change.changes[0].new, "options")


def test_diff_of_an_invalid_draft_does_not_fail() -> None:
    old = _doc()
    new = copy.deepcopy(old)
    new["touchpoints"][0]["items"].append("not a mapping")
    new["touchpoints"].append({"title": "no key"})

    result = diff_documents(old, new)

    assert [e.key for e in result.touchpoints_added] == ["None"]


def test_describe_shows_values_for_people() -> None:
    assert describe(None) == "—"
    assert describe(2.0) == "2"
    assert describe(True) == "yes"
    assert describe("zero_touchpoint", "critical_policy") == "touchpoint scores zero"
    assert describe({"max": 30.0, "min": None}, "pass_if") == "no more than 30"
    assert describe("site", "channel") == "website"
    assert describe({"ru": "Да", "en": "Yes"}) == "ru: Да / en: Yes"
