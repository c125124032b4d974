"""Cells of the exports that hold text someone typed (comments, text answers, names, titles),
written so that no spreadsheet evaluates them (OWASP "CSV injection", docs/design.md §6).

- CSV has no cell types: a text that a spreadsheet would read as a formula or a command (it starts
  with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with an apostrophe, the mark
  Excel and LibreOffice take for "this is text" (OWASP's advice).
- XLSX has types: every text is written as a string cell (openpyxl would otherwise store a text
  starting with "=" as a formula), unchanged apart from the control characters XML cannot carry.
"""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> Any:
    """A CSV field: text that a spreadsheet would run gets a leading apostrophe; None is empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: texts as string cells, everything else as given (typed)."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # never "f", whatever the text starts with
            row.append(cell)
        else:
            row.append(value)
    return row
