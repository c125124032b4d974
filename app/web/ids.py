"""A row's id as it comes in a URL or a form: ASCII digits that fit a 64-bit key, else None.

`str.isdigit()` alone accepts "²" (which int() refuses), and an unbounded number overflows the
database's integer; both must be a clear answer, never a crash (docs/design.md §7)."""


def row_id(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 19 else None
