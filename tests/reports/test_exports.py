"""XLSX and CSV exports: the same figures as the reports, typed cells, frozen headers, scope."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from tests.reports.conftest import Network
from tests.reports.test_clinic_report_api import as_user


def test_workbook_has_four_sheets_with_typed_cells_and_frozen_headers(client: TestClient, session: Session,
                                                                      network: Network) -> None:
    as_user(client, session, "admin")

    response = client.get("/reports/export.xlsx")

    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Answers", "Audits", "Clinic x touchpoint", "Item pass rates"]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    audits = list(book["Audits"].iter_rows(min_row=2, values_only=True))
    assert len(audits) == 5  # 3 + 1 + 1 approved; the others are not exported
    alpha_scores = sorted(row[9] for row in audits if row[3] == "Alpha")
    assert alpha_scores == pytest.approx([25.0, 175 / 3, 75.0])
    matrix = list(book["Clinic x touchpoint"].iter_rows(values_only=True))
    assert matrix[0][-2:] == ("call", "reception")
    assert matrix[1][5] == pytest.approx(((75 + 175 / 3 + 25) / 3 + 100) / 2)  # network mean row
    rates = {(r[1], r[2]): r for r in book["Item pass rates"].iter_rows(min_row=2, values_only=True)}
    assert rates[("Alpha", "call.greeting")][3] == pytest.approx(2 / 3)
    assert rates[("Alpha", "call.greeting")][5] == pytest.approx(0.2077, abs=1e-4)
    assert rates[("Alpha", "reception.wait")][5] is None


def test_answers_csv_opens_in_excel_and_marks_na(client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "qa_lead")

    response = client.get("/reports/answers.csv", params={"region": "North"})

    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["clinic"] for r in rows} == {"Alpha", "Rival"}
    callback = [r for r in rows if r["item"] == "call.callback" and r["na"] == "True"]
    assert len(callback) == 1 and callback[0]["score"] == ""
    assert any(r["item"] == "reception.notes" and r["value_text"] == "fine" for r in rows)


def test_manager_export_covers_only_their_clinic(client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "manager", clinic_id=network.a.id)

    rows = list(csv.DictReader(io.StringIO(client.get("/reports/answers.csv").content.decode("utf-8-sig"))))

    assert {r["clinic"] for r in rows} == {"Alpha"}
