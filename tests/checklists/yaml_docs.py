"""A small valid checklist file as text, with known line numbers, and helpers to break it line by line."""

import textwrap

from app.checklists.validation import validate_checklist

VALID = textwrap.dedent("""\
    slug: test-clinic
    title: {ru: "Тест", en: "Test"}
    language: ru
    target: 80
    touchpoints:
      - key: call
        title: {ru: "Звонок", en: "Call"}
        weight: 1
        target: 90
        items:
          - key: call.answer_time
            text: "Секунд до ответа"
            type: number
            unit: s
            pass_if: {max: 20}
          - key: call.greeting
            text: "Назвали клинику"
            type: yes_no
            weight: 2
      - key: reception
        title: {ru: "Ресепшн", en: "Reception"}
        items:
          - key: reception.politeness
            text: "Вежливость"
            type: scale
            min: 1
            max: 5
          - key: reception.wait
            text: {ru: "Ожидание", en: "Waiting"}
            type: choice
            options:
              - {key: short, text: "Меньше 10 минут", score: 1}
              - {key: long, text: "Больше 10 минут", score: 0}
    """)


def replace_line(number: int, *new_lines: str, text: str = VALID) -> str:
    """The text with line `number` (1-based) replaced by `new_lines` (none: the line removed)."""
    lines = text.splitlines()
    lines[number - 1 : number] = list(new_lines)
    return "\n".join(lines) + "\n"


def insert_after(number: int, *new_lines: str, text: str = VALID) -> str:
    lines = text.splitlines()
    lines[number:number] = list(new_lines)
    return "\n".join(lines) + "\n"


def problems_in(text: str) -> list[tuple[int, str, str]]:
    doc, problems = validate_checklist(text, "test.yaml")
    assert doc is None or not problems
    return [(problem.line, problem.key, problem.message) for problem in problems]
