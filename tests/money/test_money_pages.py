"""Money over HTTP: the shopper attaches the receipt on the phone and sees the amount pending; QA
adjusts it at review; payout pages export once and pay; shoppers see only their own money."""

import io
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.money import ledger, receipts
from app.review import service as review
from app.web.paging import PageRequest
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.helpers import make_audit
from tests.money.helpers import PDF, approve, paid_wave, submitted_visit
from tests.web import csrf_from, log_in


def test_the_shopper_attaches_a_receipt_and_sees_the_amount_pending(session: Session, client: TestClient) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_audit(session, shopper=shopper, wave=paid_wave(session, fee="1500.00", limit="3000.00"))
    log_in(client, shopper.email, PASSWORD)
    token = csrf_from(client.get(f"/visits/{audit.id}/receipt").text)

    saved = client.post(f"/visits/{audit.id}/receipt", data={"amount_paid": "2 450,50", "csrf_token": token},
                        files={"file": ("receipt.pdf", io.BytesIO(PDF), "application/pdf")})
    html = client.post(f"/visits/{audit.id}/receipt", data={"amount_paid": "10", "csrf_token": token},
                       files={"file": ("r.pdf", io.BytesIO(b"<html><script>x</script>"), "application/pdf")})
    page = client.get(f"/visits/{audit.id}/receipt")

    assert saved.status_code == 303
    assert html.status_code == 422 and "photo (JPEG, PNG, WebP) or a PDF" in html.text
    assert "2450.50 RUB" in page.text and "1500.00 RUB" in page.text


def test_a_pdf_receipt_is_served_as_a_sandboxed_download_to_its_shopper_only(session: Session,
                                                                           client: TestClient) -> None:
    shopper = make_user(session, Role.shopper)
    audit = submitted_visit(session, shopper=shopper)
    receipt = receipts.receipt_of(session, audit)
    assert receipt is not None
    receipt_id = receipt.id
    log_in(client, shopper.email, PASSWORD)

    own = client.get(f"/receipts/{receipt_id}")
    client.cookies.clear()
    log_in(client, make_user(session, Role.shopper).email, PASSWORD)
    other = client.get(f"/receipts/{receipt_id}")

    assert own.status_code == 200 and own.content == PDF
    assert own.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in own.headers["content-security-policy"]
    assert other.status_code == 404


def test_qa_adjusts_the_receipt_at_review_and_approval_owes_fee_plus_adjusted(session: Session,
                                                                            client: TestClient) -> None:
    audit = submitted_visit(session, wave=paid_wave(session, fee="1000.00", limit="3000.00"), paid="2500.00")
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)
    page = client.get(f"/review/audits/{audit.id}")
    token = csrf_from(page.text)

    no_reason = client.post(f"/review/audits/{audit.id}/receipt", data={
        "csrf_token": token, "receipt_decision": "adjust", "receipt_amount": "2000.00"})
    adjusted = client.post(f"/review/audits/{audit.id}/receipt", data={
        "csrf_token": token, "receipt_decision": "adjust", "receipt_amount": "2000.00",
        "receipt_reason": "The receipt shows 2000"})
    approved = client.post(f"/review/audits/{audit.id}", data={"csrf_token": token, "decision": "approve"})

    entry = ledger.visit_entry(session, audit.id or 0)
    assert 'id="receipt"' in page.text and "2500.00 RUB" in page.text
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.text
    assert adjusted.status_code == 303
    assert approved.status_code == 303
    assert entry is not None and (entry.status, str(entry.amount)) == ("approved", "3000.00")


def test_rejecting_as_recognised_from_the_review_form_records_the_code(session: Session,
                                                                     client: TestClient) -> None:
    from app.pool import rules

    audit = submitted_visit(session)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)
    token = csrf_from(client.get(f"/review/audits/{audit.id}").text)

    rejected = client.post(f"/review/audits/{audit.id}", data={
        "csrf_token": token, "decision": "reject", "reason": "The nurse knew her", "reason_code": "recognised"})

    assert rejected.status_code == 303
    assert rules.was_recognised(session, shopper_id=audit.shopper_id, clinic_id=audit.clinic_id)


def test_a_batch_is_exported_once_then_downloaded_and_paid(session: Session, client: TestClient) -> None:
    shopper = make_user(session, Role.shopper, name="Вера")
    approve(session, submitted_visit(session, shopper=shopper, wave=paid_wave(session, fee="1000.00",
                                                                              limit="500.00"), paid="300.00"))
    log_in(client, make_user(session, Role.admin).email, PASSWORD)
    token = csrf_from(client.get("/payouts").text)

    made = client.post("/payouts", data={"csrf_token": token, "up_to": date.today().isoformat()})
    url = made.headers["location"].split("?")[0]
    early = client.get(f"{url}/payout.csv")
    exported = client.post(f"{url}/export", data={"csrf_token": token})
    twice = client.post(f"{url}/export", data={"csrf_token": token})
    csv_file = client.get(f"{url}/payout.csv")
    xlsx_file = client.get(f"{url}/payout.xlsx")
    paid = client.post(f"{url}/paid", data={"csrf_token": token})
    paid_again = client.post(f"{url}/paid", data={"csrf_token": token})

    assert made.status_code == 303 and early.status_code == 409
    assert exported.status_code == 303
    assert twice.status_code == 409 and "cannot be exported again" in twice.text
    assert "Вера" in csv_file.content.decode("utf-8-sig") and ",1300.00," in csv_file.text
    assert xlsx_file.content[:2] == b"PK"
    assert paid.status_code == 303 and paid_again.status_code == 409
    assert ledger.earnings_page(session, shopper=shopper, page=PageRequest()).paid == Decimal("1300.00")


def test_the_api_shows_a_shopper_only_their_own_earnings(session: Session, client: TestClient) -> None:
    wave = paid_wave(session, fee="700.00", limit="0.00")
    mine, theirs = make_user(session, Role.shopper), make_user(session, Role.shopper)
    submitted_visit(session, shopper=mine, wave=wave, paid=None)
    approve(session, submitted_visit(session, shopper=theirs, wave=wave, paid=None))
    log_in(client, mine.email, PASSWORD)

    body = client.get("/api/v1/earnings").json()
    page = client.get("/earnings")

    assert (body["pending"], body["owed"], body["paid"]) == ("700.00", "0.00", "0.00")
    assert len(body["entries"]) == 1
    assert 'data-total="pending">700.00 RUB' in page.text


def test_a_director_sees_cost_per_valid_visit(session: Session, client: TestClient) -> None:
    wave = paid_wave(session, fee="1000.00", limit="0.00")
    clinic = make_clinic(session, name="Cost Clinic")
    for _ in range(3):
        approve(session, submitted_visit(session, wave=wave, paid=None, clinic=clinic))
    rejected = submitted_visit(session, wave=wave, paid=None, clinic=clinic)
    review.review_audit(session, audit=rejected, reviewer=make_user(session, Role.qa_lead), decision="reject",
                        reason="no visit")
    log_in(client, make_user(session, Role.director, whole_network=True).email, PASSWORD)

    page = client.get("/costs")

    row = page.text[page.text.index("Cost Clinic"):]
    assert "3000.00 RUB" in row[:400] and "1000.00 RUB" in row[:600]


def test_a_direct_assignment_over_the_api_may_carry_its_own_fee(session: Session, client: TestClient) -> None:
    from app.fieldwork.models import Assignment
    from app.money import terms
    from tests.fieldwork.helpers import publish_checklist

    publish_checklist(session)
    wave, clinic, shopper = paid_wave(session, fee="1000.00"), make_clinic(session), make_user(session, Role.shopper)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    made = client.post("/api/v1/assignments", json={"wave_id": wave.id, "clinic_id": clinic.id,
                                                    "checklist": "test-clinic", "shopper": shopper.email,
                                                    "fee": "1250.00"})

    assignment = session.get(Assignment, made.json()["id"])
    assert made.status_code == 201 and assignment is not None
    assert str(terms.terms_of(session, assignment).fee) == "1250.00"
