"""The design the code cites is in the repository: every `docs/design.md §N` points to a heading."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "docs" / "design.md"
CITATION = re.compile(r"docs/design\.md (§\d+)")


def _sources() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for folder in ("app", "tests", "bench") for p in (ROOT / folder).rglob("*.py") if p != here]


def test_design_document_has_the_fourteen_numbered_sections() -> None:
    headings = re.findall(r"^## (\d+)\. ", DESIGN.read_text(encoding="utf-8"), flags=re.M)

    assert headings == [str(n) for n in range(1, 15)]


def test_every_citation_of_the_design_names_an_existing_section() -> None:
    sections = {f"§{n}" for n in re.findall(r"^## (\d+)\. ", DESIGN.read_text(encoding="utf-8"), flags=re.M)}

    cited = {(p.name, m) for p in _sources() for m in CITATION.findall(p.read_text(encoding="utf-8"))}

    assert cited, "the code cites the design document"
    assert {c for c in cited if c[1] not in sections} == set()


def test_no_code_cites_a_design_that_is_not_in_the_repository() -> None:
    stale = [p.name for p in _sources() if re.search(r"\bDESIGN §|shared/DESIGN", p.read_text(encoding="utf-8"))]

    assert stale == []
