"""Any integer scale works end to end (docs/design.md §4): 0..10 (the NPS scale) and −2..2 take
their lowest answer, are offered whole in the form, the editor and the phone preview, and score
(v − min) / (max − min) in reports and exports."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.checklists import editor
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.fieldwork import assignments
from app.fieldwork.models import Audit
from app.i18n import set_language
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.helpers import make_wave
from tests.web import log_in

SLUG = "nps-visit"
HX = {"HX-Request": "true"}


def nps_checklist() -> dict[str, Any]:
    return {"slug": SLUG, "title": "NPS visit", "language": "en", "target": 80, "touchpoints": [
        {"key": "call", "title": "Phone call", "items": [
            {"key": "call.nps", "text": "Would you recommend us", "type": "scale", "min": 0, "max": 10},
            {"key": "call.tone", "text": "Tone of voice", "type": "scale", "min": -2, "max": 2},
        ]}]}


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def audit(session: Session) -> Audit:
    save_version(session, ChecklistDoc.model_validate(nps_checklist()))
    shopper = make_user(session, Role.shopper, email="nps-shopper@example.test")
    assignment = assignments.assign_visit(session, wave=make_wave(session, "NPS wave"),
                                          clinic=make_clinic(session, name="Zero Clinic"), checklist_slug=SLUG,
                                          scenario=None, shopper=shopper)
    audit = assignments.audit_for(session, assignment)
    session.commit()
    return audit


def test_the_lowest_answer_of_a_zero_based_scale_is_accepted_by_the_api(client: TestClient, audit: Audit) -> None:
    log_in(client, "nps-shopper@example.test", PASSWORD)

    response = client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [
        {"item": "call.nps", "value": 0}, {"item": "call.tone", "value": -2}]})

    assert response.status_code == 200, response.text
    got = {a["item"]: a["value"] for a in client.get(f"/api/v1/audits/{audit.id}").json()["answers"]}
    assert got == {"call.nps": 0, "call.tone": -2}


def test_out_of_range_values_are_refused_with_the_real_bounds(client: TestClient, audit: Audit) -> None:
    log_in(client, "nps-shopper@example.test", PASSWORD)

    response = client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [
        {"item": "call.nps", "value": 11}, {"item": "call.tone", "value": -3}]})

    assert response.status_code == 422
    messages = [d["message"] for d in response.json()["detail"]]
    assert messages == ["Choose a whole number from 0 to 10.", "Choose a whole number from -2 to 2."]


def test_the_form_offers_zero_and_saves_it(client: TestClient, audit: Audit) -> None:
    log_in(client, "nps-shopper@example.test", PASSWORD)

    page = client.get(f"/visits/{audit.id}/t/call").text
    saved = client.post(f"/visits/{audit.id}/items/call.nps", data={"v.call.nps": "0"}, headers=HX)

    assert 'name="v.call.nps" value="0"' in page and 'name="v.call.nps" value="10"' in page
    assert 'name="v.call.tone" value="-2"' in page
    assert "0 = worst, 10 = best" in page
    assert saved.status_code == 200, saved.text
    assert 'value="0" checked' in saved.text


def test_the_editor_keeps_a_zero_minimum_and_the_preview_shows_it(session: Session, client: TestClient,
                                                                  audit: Audit) -> None:
    qa = make_user(session, Role.qa_lead)
    log_in(client, qa.email, PASSWORD)
    client.post(f"/checklists/{SLUG}/draft/open")
    draft = editor.find_draft(session, SLUG, author=qa)
    assert draft is not None
    item = draft.document["touchpoints"][0]["items"][0]
    form = {"expected_key": item["key"], "type": "scale", "weight": 1, "photo": "none", "comment": "optional",
            "unit": "", "text_en": "Would you recommend us", "text_ru": "", "help_en": "", "help_ru": "",
            "required": "true", "pass_min": "", "pass_max": "", "scale_min": "0", "scale_max": "10"}

    saved = client.post(f"/checklists/{SLUG}/draft/tp/0/items/0", data=form)
    preview = client.get(f"/checklists/{SLUG}/draft/preview?touchpoint=call").text

    assert saved.status_code in (200, 303), saved.text
    session.refresh(draft)
    assert draft.document["touchpoints"][0]["items"][0]["min"] == 0
    assert 'name="v.call.nps" value="0"' in preview
    assert "0 = worst, 10 = best" in preview


def test_zero_scores_zero_and_the_top_scores_one_in_reports_and_exports(session: Session, client: TestClient,
                                                                       audit: Audit) -> None:
    log_in(client, "nps-shopper@example.test", PASSWORD)
    client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [
        {"item": "call.nps", "value": 0}, {"item": "call.tone", "value": 2}]})
    assert client.post(f"/api/v1/audits/{audit.id}/submit").status_code == 200
    qa = make_user(session, Role.qa_lead)
    client.cookies.clear()
    log_in(client, qa.email, PASSWORD)
    assert client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"}).status_code == 200

    report = client.get(f"/api/v1/reports/clinics/{audit.clinic_id}", params={"checklist": SLUG}).json()
    exported = client.get("/reports/answers.csv", params={"checklist": SLUG})

    rates = {i["key"]: i["pass_rate"] for i in report["items"]}
    assert rates == {"call.nps": 0.0, "call.tone": 1.0}
    assert report["score"] == 50.0
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert (float(rows["call.nps"]["value_num"]), float(rows["call.nps"]["score"])) == (0.0, 0.0)
    assert (float(rows["call.tone"]["value_num"]), float(rows["call.tone"]["score"])) == (2.0, 1.0)
