"""Publishing a new checklist version moves no figure of a report over audits filled on an earlier
one (docs/design.md §5, "Versions in reports"): weights, targets, critical flags and texts are those
of the versions the audits were filled on."""

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from tests.checklist_docs import small_checklist
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit, make_version, make_wave
from tests.reports.test_clinic_report_api import as_user


def heavier_v2() -> dict[str, Any]:
    """The test checklist with every weight, target and critical flag changed, new texts and a new
    touchpoint: each change would re-rank or re-target something in a report if it leaked in."""
    doc = small_checklist(target=55)
    call, reception = doc["touchpoints"]
    call.update(weight=7.0, target=40)
    reception.update(weight=0.5, target=99, title="Front desk")
    for item, weight in zip(call["items"], (0.5, 9, 3, 1), strict=True):
        item["weight"] = weight
    call["items"][1]["critical"] = False
    call["items"][2]["critical"] = True
    call["items"][2]["text"] = "Offered to call back (new wording)"
    reception["items"][0]["weight"] = 6
    reception["items"][1]["weight"] = 0.25
    doc["touchpoints"].append({"key": "follow_up", "title": "Follow-up", "weight": 3, "items": [
        {"key": "follow_up.called", "text": "They called after the visit", "type": "yes_no"}]})
    return doc


def _snapshot(client: TestClient, network: Network) -> dict[str, Any]:
    params = {"wave": network.wave.name, "checklist": "test-clinic"}
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", params=params).content), read_only=True)
    return {
        "clinic_a": client.get(f"/api/v1/reports/clinics/{network.a.id}", params=params).json(),
        "clinic_c": client.get(f"/api/v1/reports/clinics/{network.c.id}", params=params).json(),
        "network": client.get("/api/v1/reports/network", params=params).json(),
        "csv": client.get("/reports/answers.csv", params=params).content,
        "xlsx": {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets},
    }


def test_publishing_new_weights_and_targets_moves_no_figure_of_an_earlier_wave(
        client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "admin")
    before = _snapshot(client, network)

    save_version(session, ChecklistDoc.model_validate(heavier_v2()))
    session.commit()
    after = _snapshot(client, network)

    assert after["clinic_a"] == before["clinic_a"]
    assert after["clinic_c"] == before["clinic_c"]
    assert after["network"] == before["network"]
    assert after["csv"] == before["csv"]
    assert after["xlsx"] == before["xlsx"]
    assert before["clinic_a"]["target"] == 80.0  # v1's, not v2's 55


def test_a_wave_on_the_new_version_uses_its_weights_and_targets(client: TestClient, session: Session,
                                                              network: Network) -> None:
    v2 = make_version(session, heavier_v2())
    wave = make_wave(session, "W2")
    make_audit(session, version=v2, clinic=network.a, wave=wave, answers={
        **PERFECT, "call.answer_time": 30, "call.callback": False, "follow_up.called": False})
    as_user(client, session, "admin")

    report = client.get(f"/api/v1/reports/clinics/{network.a.id}", params={"wave": "W2"}).json()

    assert report["target"] == 55.0
    targets = {t["key"]: t["target"] for t in report["touchpoints"]}
    assert targets == {"call": 40.0, "reception": 99.0, "follow_up": 55.0}
    priorities = {i["key"]: i["priority"] for i in report["items"] if i["priority"] > 0}
    assert priorities == {"call.answer_time": 0.5 * 7.0, "call.callback": 3 * 7.0, "follow_up.called": 1 * 3.0}
    assert report["critical_failures"] == 1  # the callback is critical in v2


def test_a_report_mixing_versions_takes_weights_from_the_newest_version_behind_it(
        client: TestClient, session: Session, network: Network) -> None:
    v2 = make_version(session, heavier_v2())
    wave = make_wave(session, "Mixed")
    for version in (network.version, v2):
        make_audit(session, version=version, clinic=network.b, wave=wave, answers={**PERFECT, "call.answer_time": 30})
    make_version(session, small_checklist(target=70))  # v3: published after the wave, no audit on it
    as_user(client, session, "admin")

    report = client.get(f"/api/v1/reports/clinics/{network.b.id}", params={"wave": "Mixed"}).json()

    assert report["target"] == 55.0  # v2, the newest version behind the figures
    assert {i["key"]: i["priority"] for i in report["items"]}["call.answer_time"] == 0.5 * 7.0
