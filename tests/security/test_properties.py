"""Property tests: the checklist validator and the answer rules, given anything at all, answer with
problems / BadAnswer or with a valid object, and never with another exception."""

import copy
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.checklists.models import Item
from app.checklists.schema import ChecklistDoc, ItemType
from app.checklists.validation import Problem, validate_checklist
from app.fieldwork.rules import MAX_TEXT, BadAnswer, Parsed, is_failing, parse_answer
from tests.checklist_docs import small_checklist

PROPERTY = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=40), st.sampled_from(["yes", "no", "true", "1", "-0", "1e999", "nan", "",
                                                           "short", "call", "evidence", "required"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)


def _check_outcome(doc: ChecklistDoc | None, problems: list[Problem]) -> None:
    assert (doc is None) == bool(problems)
    if doc is not None:
        assert isinstance(doc, ChecklistDoc)
    for problem in problems:
        assert isinstance(problem.line, int)
        assert str(problem) and problem.as_json()["message"]  # every message formats


@PROPERTY
@given(text=st.text(max_size=400))
def test_the_checklist_validator_answers_any_text(text: str) -> None:
    _check_outcome(*validate_checklist(text, "any.yaml"))


@PROPERTY
@given(data=values)
def test_the_checklist_validator_answers_any_yaml_document(data: Any) -> None:
    _check_outcome(*validate_checklist(yaml.safe_dump(data, allow_unicode=True), "any.yaml"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_checklists(draw: st.DrawFn) -> dict[str, Any]:
    """The valid small checklist with a few of its fields replaced, removed or duplicated."""
    doc = copy.deepcopy(small_checklist())
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return doc


@PROPERTY
@given(doc=mutated_checklists())
def test_the_checklist_validator_answers_any_mutation_of_a_valid_checklist(doc: dict[str, Any]) -> None:
    _check_outcome(*validate_checklist(yaml.safe_dump(doc, allow_unicode=True), "mutated.yaml"))


def test_the_unmutated_checklist_is_valid() -> None:
    doc, problems = validate_checklist(yaml.safe_dump(small_checklist(), allow_unicode=True), "small.yaml")
    assert doc is not None and not problems


ITEMS = {
    "yes_no": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.yes_no, allow_na=True),
    "scale": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.scale, scale_min=1, scale_max=5),
    "number": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.number, pass_max=20),
    "choice": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.choice),
    "text": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.text),
    "evidence": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.evidence),
    "emotion": Item(key="i", position=0, version_id=1, touchpoint_id=1, type=ItemType.emotion),
}
OPTIONS = ["short", "medium", "long"]


@PROPERTY
@given(kind=st.sampled_from(sorted(ITEMS)), value=values, na=st.booleans(),
       comment=st.one_of(st.none(), st.text(max_size=60), scalars))
def test_an_answer_of_any_value_is_either_parsed_or_a_clear_bad_answer(kind: str, value: Any, na: bool,
                                                                        comment: Any) -> None:
    item = ITEMS[kind]
    try:
        parsed = parse_answer(item, OPTIONS, value, na=na, comment=comment)
    except BadAnswer as refused:
        assert refused.text()  # a message for the shopper, with its placeholders filled
        return
    assert isinstance(parsed, Parsed)
    if parsed.value_num is not None:
        assert math.isfinite(parsed.value_num)
    if kind == "scale" and parsed.value_num is not None:
        assert 1 <= parsed.value_num <= 5
    if kind == "emotion" and parsed.value_num is not None:
        assert parsed.value_num in (-2, -1, 0, 1, 2)
    if kind == "choice" and parsed.value_text is not None:
        assert parsed.value_text in OPTIONS
    for text in (parsed.value_text, parsed.comment):
        assert text is None or (isinstance(text, str) and len(text) <= MAX_TEXT)
    is_failing(item, parsed.value_num, parsed.value_text, parsed.na, OPTION_SCORES)


OPTION_SCORES = {"short": 1.0, "medium": 0.5, "long": 0.0}
