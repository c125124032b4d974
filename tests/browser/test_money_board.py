"""The money trail in three browsers: a shopper on a phone takes a visit from the board, fills it,
attaches the receipt and sees the amount pending; the QA lead adjusts the receipt at review and
approves; the admin makes the payout batch, exports it and marks it paid; the shopper sees it paid."""

from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from app.accounts import service as accounts
from app.accounts.models import Role
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.clinics.models import Clinic, Region
from app.fieldwork import waves
from app.money import terms
from app.pool import board
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}
SLUG = "money-board"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANSWERS = [{"item": "call.answer_time", "value": 15}, {"item": "call.greeting", "value": True},
           {"item": "call.callback", "value": True}, {"item": "call.mood", "value": 1},
           {"item": "reception.politeness", "value": 4}, {"item": "reception.wait", "value": "short"}]


def _arrange(live_app: LiveApp) -> tuple[str, str, str]:
    """A wave paying 1500.00 and reimbursing up to 3000.00, one visit on the board, three people."""
    doc = small_checklist(SLUG)
    doc["touchpoints"][1]["items"] = [i for i in doc["touchpoints"][1]["items"] if i["key"] != "reception.photo"]
    emails = ("shopper-money@example.test", "qa-money@example.test", "admin-money@example.test")
    with live_app.session() as session:
        save_version(session, ChecklistDoc.model_validate(doc))
        region = Region(name="Money region")
        session.add(region)
        session.flush()
        clinic = Clinic(name="Clinic Sadovaya", region_id=region.id, city="Kazan", address="Sadovaya 3")
        session.add(clinic)
        session.flush()
        wave = waves.create_wave(session, name="Money wave", starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31))
        terms.set_wave_defaults(session, wave=wave, fee="1500.00", reimbursement_limit="3000.00")
        for email, role in zip(emails, (Role.shopper, Role.qa_lead, Role.admin), strict=True):
            accounts.create_user(session, email=email, role=role, password=PASSWORD)
        board.publish_visit(session, wave=wave, clinic=clinic, checklist_slug=SLUG, scenario=None,
                            window_start=date(2026, 11, 20), window_end=date(2026, 11, 30))
        session.commit()
    return emails


def test_board_claim_receipt_adjusted_at_review_batch_paid(browser: Any, live_app: LiveApp,
                                                            phone: dict[str, Any]) -> None:
    shopper_email, qa_email, admin_email = _arrange(live_app)
    shopper_context = browser.new_context(**phone, locale="en-US")
    shopper = shopper_context.new_page()
    log_in_page(shopper, live_app, shopper_email, PASSWORD)

    # The shopper takes the visit from the board on the phone.
    shopper.get_by_role("navigation", name="Main").get_by_role("link", name="Visit board").click()
    card = shopper.locator(".board-card", has_text="Clinic Sadovaya")
    expect(card).to_contain_text("1500.00 RUB")
    shopper.screenshot(path=str(SCREENSHOTS / "money-board-phone.png"), full_page=True)
    card.get_by_role("button", name="Take this visit").click()
    shopper.wait_for_url("**/visits/*")
    audit_id = int(shopper.url.rstrip("/").split("/")[-1])
    assert shopper.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Fills it (the answers go the way the offline queue sends them), attaches the receipt, submits.
    token = shopper.locator("input[name=csrf_token]").first.get_attribute("value")
    saved = shopper.request.put(f"{live_app.url}/api/v1/audits/{audit_id}/answers", data={"answers": ANSWERS},
                                headers={"X-CSRF-Token": token or ""})
    assert saved.status == 200, saved.text()
    shopper.get_by_role("link", name="Receipt and payment").click()
    shopper.fill("#amount_paid", "2450,50")
    shopper.set_input_files("#receipt_file", files=[{"name": "receipt.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    shopper.get_by_role("button", name="Save the receipt").click()
    expect(shopper.locator(".flash")).to_contain_text("The receipt was saved")
    shopper.goto(f"{live_app.url}/visits/{audit_id}/overview")
    shopper.locator("#submit-report").click()
    shopper.wait_for_url(f"**/visits/{audit_id}")
    shopper.goto(f"{live_app.url}/earnings")
    expect(shopper.locator("[data-total=pending]")).to_have_text("3950.50 RUB")
    expect(shopper.locator("#earnings [data-status=pending]")).to_be_visible()
    shopper.screenshot(path=str(SCREENSHOTS / "money-pending-phone.png"), full_page=True)

    # The QA lead adjusts the receipt at review (the receipt shows less), then approves.
    qa = browser.new_context(viewport=LAPTOP, locale="en-US").new_page()
    log_in_page(qa, live_app, qa_email, PASSWORD)
    qa.goto(f"{live_app.url}/review/audits/{audit_id}")
    expect(qa.locator("#receipt")).to_contain_text("2450.50 RUB")
    qa.locator("input[name=receipt_decision][value=adjust]").check()
    qa.fill("#receipt_amount", "2400.00")
    qa.fill("#receipt_reason", "The receipt says 2400.00")
    qa.locator("#save-receipt").click()
    expect(qa.locator("#receipt-reimbursed")).to_have_text("2400.00 RUB")
    qa.get_by_role("button", name="Approve").click()
    qa.wait_for_url("**/review?done=approve*")

    # The admin makes the batch, exports it and marks it paid.
    admin = browser.new_context(viewport=LAPTOP, locale="en-US").new_page()
    log_in_page(admin, live_app, admin_email, PASSWORD)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Payouts").click()
    admin.get_by_role("button", name="Make the batch").click()
    expect(admin.locator("#payout-total")).to_have_text("3900.00 RUB")
    admin.locator("#export-payout").click()
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Download CSV").click()
    assert ",3900.00," in Path(download.value.path()).read_text(encoding="utf-8-sig")
    admin.locator("#mark-paid").click()
    expect(admin.locator("[data-payout-status]").first).to_have_text("paid")

    # The shopper sees the visit paid.
    shopper.goto(f"{live_app.url}/earnings")
    expect(shopper.locator("[data-total=paid]")).to_have_text("3900.00 RUB")
    expect(shopper.locator("#earnings [data-status=paid]")).to_be_visible()
    shopper.screenshot(path=str(SCREENSHOTS / "money-paid-phone.png"), full_page=True)
