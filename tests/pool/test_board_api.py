"""The board over HTTP: GET /api/v1/board, POST /api/v1/board/{id}/claim (200, 409, 422 naming the
rule), POST /api/v1/board for QA; the shopper's board page and its claim button."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.fieldwork.models import Assignment
from tests.factories import PASSWORD, make_clinic, make_user
from tests.pool.helpers import SLUG, published, ruled_wave
from tests.web import log_in


def test_a_shopper_lists_and_claims_a_visit_and_the_next_shopper_gets_409(session: Session,
                                                                          client: TestClient) -> None:
    visit = published(session, wave=ruled_wave(session), fee="1500.50")
    first, second = make_user(session, Role.shopper), make_user(session, Role.shopper)
    log_in(client, first.email, PASSWORD)

    listed = client.get("/api/v1/board").json()
    won = client.post(f"/api/v1/board/{visit.id}/claim")
    client.cookies.clear()
    log_in(client, second.email, PASSWORD)
    lost = client.post(f"/api/v1/board/{visit.id}/claim")

    assert [(v["id"], v["fee"], v["currency"]) for v in listed] == [(visit.id, "1500.50", "RUB")]
    assert won.status_code == 200 and won.json()["shopper"] == first.email
    assert session.get(Assignment, won.json()["id"]) is not None
    assert lost.status_code == 409 and "Someone else" in lost.json()["detail"]
    assert client.get("/api/v1/board").json() == []


def test_a_claim_a_rule_refuses_answers_422_with_the_rule(session: Session, client: TestClient) -> None:
    visit = published(session, wave=ruled_wave(session, certification_required=True))
    log_in(client, make_user(session, Role.shopper).email, PASSWORD)

    refused = client.post(f"/api/v1/board/{visit.id}/claim")

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["rule"] == "certification"


def test_qa_publishes_with_the_assignment_body_minus_shopper_plus_fee(session: Session, client: TestClient) -> None:
    wave, clinic = ruled_wave(session), make_clinic(session)
    published(session, wave=wave)  # the checklist exists
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    made = client.post("/api/v1/board", json={"wave_id": wave.id, "clinic_id": clinic.id, "checklist": SLUG,
                                              "window_start": "2026-11-01", "due_on": "2026-11-10",
                                              "fee": "2000.25"})
    float_fee = client.post("/api/v1/board", json={"wave_id": wave.id, "clinic_id": clinic.id,
                                                   "checklist": SLUG, "fee": "1.234"})
    unknown = client.post("/api/v1/board", json={"wave_id": wave.id, "clinic_id": 999999, "checklist": SLUG})

    assert made.status_code == 201 and made.json()["fee"] == "2000.25"
    assert made.json()["due_on"] == "2026-11-10"
    assert float_fee.status_code == 422
    assert unknown.status_code == 422


def test_the_board_page_claims_on_the_phone_and_shows_why_not(session: Session, client: TestClient) -> None:
    wave = ruled_wave(session, max_visits=1)
    clinic = make_clinic(session, name="Board Clinic")
    visit, other = published(session, wave=wave, clinic=clinic), published(session, wave=wave)
    log_in(client, make_user(session, Role.shopper).email, PASSWORD)

    page = client.get("/board")
    claimed = client.post(f"/board/{visit.id}/claim")
    after = client.get("/board")
    again = client.post(f"/board/{other.id}/claim")

    assert "Board Clinic" in page.text and "Take this visit" in page.text
    assert claimed.status_code == 303 and claimed.headers["location"].startswith("/visits/")
    assert 'data-rule="max_visits"' in after.text
    assert again.status_code == 422 and "the most a shopper may do" in again.text


def test_qa_sets_a_waves_fee_and_rules_on_its_page(session: Session, client: TestClient) -> None:
    wave = ruled_wave(session)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    saved = client.post(f"/waves/{wave.id}/pool", data={"fee": "1 500,00", "reimbursement_limit": "3000",
                                                       "revisit_days": "30", "max_visits": "",
                                                       "certification_required": "1"})
    bad = client.post(f"/waves/{wave.id}/pool", data={"fee": "15.001"})
    page = client.get(f"/waves/{wave.id}/pool")

    assert saved.status_code == 303
    assert bad.status_code == 422
    assert 'value="1500.00"' in page.text and 'value="30"' in page.text and "checked" in page.text
