"""XLSX and CSV exports: the same figures as the reports, typed cells, frozen headers, scope."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.accounts import service as accounts
from app.reports import exports
from tests.factories import PASSWORD, make_user
from tests.reports.conftest import Network
from tests.reports.test_clinic_report_api import as_user
from tests.web import log_in


def test_workbook_has_four_sheets_in_the_readers_language_rounded_with_widths_and_frozen_headers(
        client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "admin")

    response = client.get("/reports/export.xlsx")
    russian = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", cookies={"mp_lang": "ru"}).content))

    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Answers", "Audits", "Clinics by touchpoint", "Item pass rates"]
    assert russian.sheetnames == ["Ответы", "Визиты", "Клиники по точкам контакта", "Доля выполнения пунктов"]
    assert next(russian["Визиты"].iter_rows(max_row=1, values_only=True))[:2] == ("Аудит", "Волна")
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    assert book["Answers"].column_dimensions["N"].width == 40 and book["Audits"]["A1"].font.bold
    audits = list(book["Audits"].iter_rows(min_row=2, values_only=True))
    assert len(audits) == 5  # 3 + 1 + 1 approved; the others are not exported
    alpha_scores = sorted(row[9] for row in audits if row[3] == "Alpha")
    assert alpha_scores == [25.0, 58.3, 75.0]  # 175/3, rounded for reading (the CSV keeps it raw)
    matrix = list(book["Clinics by touchpoint"].iter_rows(values_only=True))
    assert matrix[0][-2:] == ("Phone call", "Reception")
    assert matrix[1][5] == round(((75 + 175 / 3 + 25) / 3 + 100) / 2, 1)  # network mean row
    rates = {(r[1], r[2]): r for r in book["Item pass rates"].iter_rows(min_row=2, values_only=True)}
    assert rates[("Alpha", "call.greeting")][3] == 0.667
    assert rates[("Alpha", "call.greeting")][5] == 0.208  # Wilson lower bound 0.2077
    assert rates[("Alpha", "call.greeting")][7] == "Named the clinic"
    assert rates[("Alpha", "reception.wait")][5] is None
    assert book["Item pass rates"]["D2"].number_format == "0.0%"


def test_the_clinic_reports_workbook_is_that_clinics(client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "admin")

    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", params={"clinic": network.a.id}).content))
    rows = list(csv.DictReader(io.StringIO(
        client.get("/reports/answers.csv", params={"clinic": network.a.id}).content.decode("utf-8-sig"))))
    unknown = client.get("/reports/export.xlsx", params={"clinic": "nope"})

    assert {row[3] for row in book["Audits"].iter_rows(min_row=2, values_only=True)} == {"Alpha"}
    assert [row[1] for row in book["Clinics by touchpoint"].iter_rows(min_row=2, values_only=True)] == [
        "Network (branches)", "Alpha"]
    assert {row[1] for row in book["Item pass rates"].iter_rows(min_row=2, values_only=True)} == {"Alpha"}
    assert {r["clinic"] for r in rows} == {"Alpha"}
    assert unknown.status_code == 404


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


def test_regional_director_exports_cover_only_their_regions_clinics(client: TestClient, session: Session,
                                                                    network: Network) -> None:
    director = make_user(session, "director")
    accounts.set_scope(session, user=director, region_ids=[network.south.id or 0])
    log_in(client, director.email, PASSWORD)

    rows = list(csv.DictReader(io.StringIO(client.get("/reports/answers.csv").content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").content))
    other_region = client.get("/reports/answers.csv", params={"region": "North"})

    assert {r["clinic"] for r in rows} == {"Beta"}
    assert {row[3] for row in book["Audits"].iter_rows(min_row=2, values_only=True)} == {"Beta"}
    assert {row[1] for row in book["Clinics by touchpoint"].iter_rows(min_row=3, values_only=True)} == {"Beta"}
    assert {row[1] for row in book["Item pass rates"].iter_rows(min_row=2, values_only=True)} == {"Beta"}
    other_rows = list(csv.DictReader(io.StringIO(other_region.content.decode("utf-8-sig"))))
    assert other_region.status_code == 200 and other_rows == []  # North is outside the scope: nothing


def test_answers_stream_in_batches_of_audits_with_every_row_once(client: TestClient, session: Session,
                                                                 network: Network,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    admin = as_user(client, session, "admin")
    whole = client.get("/reports/answers.csv").content
    monkeypatch.setattr(exports, "AUDITS_PER_BATCH", 2)
    monkeypatch.setattr(exports, "CHUNK", 100)
    selection = exports.select_export(session, user=make_user(session, "admin"), wave=None, checklist=None,
                                      region=None)

    chunks = list(exports.answers_csv(session, selection))
    streamed = admin.get("/reports/answers.csv").content

    assert len(chunks) > 5 and b"".join(chunks) == whole == streamed
    rows = list(csv.DictReader(io.StringIO(whole.decode("utf-8-sig"))))
    assert len({(r["audit_id"], r["item"]) for r in rows}) == len(rows)
    assert len({r["audit_id"] for r in rows}) == 5


def test_export_of_an_unknown_wave_is_a_404_before_anything_streams(client: TestClient, session: Session,
                                                                    network: Network) -> None:
    as_user(client, session, "admin")

    csv_response = client.get("/reports/answers.csv", params={"wave": "Nope"})
    xlsx_response = client.get("/reports/export.xlsx", params={"checklist": "missing"})

    assert csv_response.status_code == 404 and "Nope" in csv_response.text
    assert xlsx_response.status_code == 404 and "missing" in xlsx_response.text
