"""Every validator rule reports its problem on the line of the offending node, with its key."""

from app.checklists.validation import Problem, validate_checklist
from tests.checklists.yaml_docs import VALID, insert_after, problems_in, replace_line


def test_a_valid_file_has_no_problems_and_gives_the_document() -> None:
    doc, problems = validate_checklist(VALID, "test.yaml")

    assert problems == []
    assert doc is not None and [tp.key for tp in doc.touchpoints] == ["call", "reception"]


def test_a_yaml_syntax_error_is_reported_with_its_line_and_stops() -> None:
    text = replace_line(12, "        text: a: b", text=replace_line(19, "        weight: -1"))

    problems = problems_in(text)

    assert problems == [(12, "yaml", "YAML syntax error: mapping values are not allowed here")]


def test_an_unclosed_flow_mapping_names_where_it_was_opened() -> None:
    problems = problems_in(replace_line(15, "        pass_if: {max: 20"))

    assert len(problems) == 1 and problems[0][1] == "yaml"
    assert "on line 15" in problems[0][2]


def test_an_empty_file_is_a_problem() -> None:
    assert problems_in("") == [(1, "file", "the file must be a YAML mapping of fields, found nothing")]


def test_a_misspelt_field_is_reported_on_its_line_with_a_suggestion() -> None:
    problems = problems_in(replace_line(19, "        wieght: 2"))

    assert problems == [(19, "call.greeting", "unknown field 'wieght', did you mean 'weight'?")]


def test_an_unknown_touchpoint_field_names_the_touchpoint() -> None:
    problems = problems_in(insert_after(9, "    colour: red"))

    assert problems == [(10, "call", "unknown field 'colour'")]


def test_a_field_given_twice_is_reported_at_the_second() -> None:
    problems = problems_in(insert_after(19, "        weight: 3"))

    assert problems == [(20, "call.greeting", "'weight' is given twice (first on line 19)")]


def test_a_missing_required_field_is_reported_at_its_item() -> None:
    problems = problems_in(replace_line(18))

    assert problems == [(16, "call.greeting", "'type' is required")]


def test_a_duplicate_touchpoint_key_points_at_the_first_one() -> None:
    problems = problems_in(replace_line(20, "  - key: call"))

    assert problems == [(20, "call", "touchpoint key 'call' is already used on line 6")]


def test_a_duplicate_item_key_across_touchpoints_points_at_the_first_one() -> None:
    problems = problems_in(replace_line(23, "      - key: call.greeting"))

    assert problems == [(23, "call.greeting", "item key 'call.greeting' is already used on line 16")]


def test_an_unknown_item_type_lists_the_known_ones() -> None:
    problems = problems_in(replace_line(18, "        type: yesno"))

    assert problems == [
        (
            18,
            "call.greeting",
            "unknown item type 'yesno', use one of: yes_no, scale, number, choice, text, evidence, emotion",
        )
    ]


def test_an_item_weight_of_zero_or_less_is_rejected() -> None:
    problems = problems_in(replace_line(19, "        weight: -1"))

    assert problems == [(19, "call.greeting", "weight must be greater than 0, got -1")]


def test_a_touchpoint_weight_of_zero_is_rejected_with_the_touchpoint_key() -> None:
    problems = problems_in(replace_line(8, "    weight: 0"))

    assert problems == [(8, "call", "weight must be greater than 0, got 0")]


def test_pass_if_on_a_yes_no_item_is_rejected() -> None:
    problems = problems_in(insert_after(18, "        pass_if: {min: 1}"))

    assert problems == [(19, "call.greeting", "pass_if applies only to number items, this one is yes_no")]


def test_a_unit_on_a_yes_no_item_is_rejected() -> None:
    problems = problems_in(insert_after(18, "        unit: s"))

    assert problems == [(19, "call.greeting", "unit applies only to number items, this one is yes_no")]


def test_pass_if_with_min_above_max_is_rejected() -> None:
    problems = problems_in(replace_line(15, "        pass_if: {min: 30, max: 20}"))

    assert problems == [
        (15, "call.answer_time", "pass_if min must not be greater than max, got min 30 and max 20")
    ]


def test_a_number_item_without_pass_if_cannot_be_scored() -> None:
    problems = problems_in(replace_line(15))

    assert problems == [
        (11, "call.answer_time", "a number item needs pass_if with min, max or both, to be scored")
    ]


def test_a_scale_with_min_not_below_max_is_rejected() -> None:
    problems = problems_in(replace_line(26, "        min: 5"))

    assert problems == [(26, "reception.politeness", "scale min must be less than max, got min 5 and max 5")]


def test_a_choice_without_options_is_rejected() -> None:
    text = replace_line(31, text=replace_line(32, text=replace_line(33)))

    problems = problems_in(text)

    assert problems == [
        (28, "reception.wait", "a choice item needs options, each with a key, text and score")
    ]


def test_an_option_without_a_score_is_rejected() -> None:
    problems = problems_in(replace_line(33, '          - {key: long, text: "Больше 10 минут"}'))

    assert problems == [(33, "reception.wait", "option 'long' has no score (a number from 0 to 1)")]


def test_an_option_score_above_one_is_rejected() -> None:
    problems = problems_in(replace_line(33, '          - {key: long, text: "Больше 10 минут", score: 2}'))

    assert problems == [(33, "reception.wait", "score must be between 0 and 1, got 2")]


def test_a_duplicate_option_key_is_rejected() -> None:
    problems = problems_in(replace_line(33, '          - {key: short, text: "Больше 10 минут", score: 0}'))

    assert problems == [(33, "reception.wait", "option key 'short' is already used on line 32")]


def test_options_on_a_non_choice_item_are_rejected() -> None:
    problems = problems_in(insert_after(27, "        options: [{key: a, text: x, score: 1}]"))

    assert problems == [
        (28, "reception.politeness", "options applies only to choice items, this one is scale")
    ]


def test_a_missing_checklist_title_in_the_default_language_is_reported() -> None:
    problems = problems_in(replace_line(2, 'title: {en: "Test"}'))

    assert problems == [(2, "title", "the title has no version in the default language 'ru'")]


def test_a_missing_touchpoint_title_in_the_default_language_is_reported() -> None:
    problems = problems_in(replace_line(7, '    title: {en: "Call"}'))

    assert problems == [(7, "call", "the title has no version in the default language 'ru'")]


def test_a_missing_item_text_in_the_default_language_is_reported() -> None:
    problems = problems_in(replace_line(29, '        text: {en: "Waiting"}'))

    assert problems == [(29, "reception.wait", "the text has no version in the default language 'ru'")]


def test_a_missing_option_text_in_the_default_language_is_reported() -> None:
    problems = problems_in(replace_line(32, '          - {key: short, text: {en: "Short"}, score: 1}'))

    assert problems == [(32, "reception.wait", "the text has no version in the default language 'ru'")]


def test_plain_strings_count_as_the_default_language_whatever_it_is() -> None:
    text = replace_line(3, "language: en", text=replace_line(29, '        text: {ru: "Ожидание"}'))

    problems = problems_in(text)

    assert problems == [(29, "reception.wait", "the text has no version in the default language 'en'")]


def test_an_unknown_language_and_an_empty_text_are_reported() -> None:
    problems = problems_in(replace_line(7, '    title: {ru: "", de: "Anruf"}'))

    assert problems == [
        (7, "call", "title in 'ru' must be a non-empty text"),
        (7, "call", "unknown language 'de' in title, use ru or en"),
    ]


def test_a_bad_slug_is_rejected() -> None:
    problems = problems_in(replace_line(1, "slug: Test_Clinic"))

    assert problems == [
        (
            1,
            "slug",
            "slug must be lowercase latin letters and digits joined by single hyphens, got 'Test_Clinic'",
        )
    ]


def test_a_bad_item_key_is_rejected_under_its_own_name() -> None:
    problems = problems_in(replace_line(16, "      - key: Call Greeting"))

    assert problems == [
        (
            16,
            "Call Greeting",
            "item key must be lowercase latin letters, digits, '_' and '.', got 'Call Greeting'",
        )
    ]


def test_a_bad_touchpoint_key_is_rejected() -> None:
    problems = problems_in(replace_line(20, "  - key: front-desk"))

    assert problems == [
        (20, "front-desk", "touchpoint key must be lowercase latin letters, digits and '_', got 'front-desk'")
    ]


def test_a_checklist_target_above_100_is_rejected() -> None:
    problems = problems_in(replace_line(4, "target: 120"))

    assert problems == [(4, "target", "target must be between 0 and 100, got 120")]


def test_a_negative_touchpoint_target_is_rejected() -> None:
    problems = problems_in(replace_line(9, "    target: -5"))

    assert problems == [(9, "call", "target must be between 0 and 100, got -5")]


def test_a_critical_text_item_is_rejected() -> None:
    text = replace_line(18, "        type: text", text=replace_line(19, "        critical: true"))

    problems = problems_in(text)

    assert problems == [(19, "call.greeting", "a text item is not scored, so it cannot be critical")]


def test_a_bare_yes_as_a_key_asks_for_quotes() -> None:
    problems = problems_in(replace_line(32, '          - {key: yes, text: "Да", score: 1}'))

    assert problems == [(32, "reception.wait", "key must be text, got 'true' (put it in quotes)")]


def test_a_file_with_several_problems_lists_each_in_line_order() -> None:
    text = VALID
    for number, line in [
        (33, '          - {key: long, text: "Больше 10 минут"}'),
        (26, "        min: 7"),
        (19, "        wieght: 2"),
        (8, "    weight: 0"),
        (1, "slug: Bad Slug"),
    ]:
        text = replace_line(number, line, text=text)

    problems = problems_in(text)

    assert [(line, key) for line, key, _message in problems] == [
        (1, "slug"),
        (8, "call"),
        (19, "call.greeting"),
        (26, "reception.politeness"),
        (33, "reception.wait"),
    ]


def test_a_problem_prints_as_file_line_key_message() -> None:
    _doc, problems = validate_checklist(replace_line(19, "        weight: -1"), "checklists/x.yaml")

    assert [str(p) for p in problems] == [
        "checklists/x.yaml:19: call.greeting: weight must be greater than 0, got -1"
    ]
    assert problems[0].as_json() == {
        "line": 19,
        "key": "call.greeting",
        "message": "weight must be greater than 0, got -1",
    }
    assert isinstance(problems[0], Problem)


def test_an_item_that_is_not_a_mapping_is_reported_on_its_line() -> None:
    problems = problems_in(
        replace_line(
            16, "      - call.greeting", text=replace_line(17, text=replace_line(18, text=replace_line(19)))
        )
    )

    assert problems == [(16, "call item 2", "each entry of items must be a mapping of fields")]


def test_aliases_that_expand_into_a_huge_document_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]

    problems = problems_in("\n".join(lines) + "\n")

    assert problems == [
        (1, "yaml", "YAML syntax error: the document is too large once its aliases (*name) are expanded")
    ]


def test_a_deeply_nested_document_is_refused_without_a_crash() -> None:
    problems = problems_in("slug: " + "[" * 5000 + "]" * 5000 + "\n")

    assert problems == [(1, "yaml", "YAML syntax error: the document is nested too deeply")]
