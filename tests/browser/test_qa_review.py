"""The review gate round trip in two browsers: the QA lead (laptop) returns a submitted audit with a
comment on one item; the shopper (phone) sees the comment highlighted on that item, changes the
answer and resubmits; the QA lead sees what changed and approves."""

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from app.accounts import service as accounts
from app.accounts.models import Role
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.clinics.models import Clinic, Region
from app.fieldwork import answers, assignments, submission, waves
from app.fieldwork.answers import AnswerInput
from app.fieldwork.models import Audit, AuditStatus
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 360, "height": 740}
COMMENT = "The wait was 25 minutes by your own timings: please check this answer."


def _submitted_audit(live_app: LiveApp, slug: str, shopper_email: str, qa_email: str, *,
                     callback: str = "yes") -> int:
    """A shopper's submitted audit of the small checklist (without its photo item)."""
    doc = small_checklist(slug)
    doc["touchpoints"][1]["items"] = [i for i in doc["touchpoints"][1]["items"] if i["key"] != "reception.photo"]
    with live_app.session() as session:
        save_version(session, ChecklistDoc.model_validate(doc))
        region = Region(name=f"Region {slug}")
        session.add(region)
        session.flush()
        clinic = Clinic(name=f"Clinic {slug}", region_id=region.id, city="Kazan")
        session.add(clinic)
        wave = waves.create_wave(session, name=f"Wave {slug}", starts_on=date(2026, 11, 1),
                                 ends_on=date(2026, 11, 30))
        shopper = accounts.create_user(session, email=shopper_email, role=Role.shopper, password=PASSWORD)
        accounts.create_user(session, email=qa_email, role=Role.qa_lead, password=PASSWORD)
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=slug,
                                              scenario=None, shopper=shopper)
        audit = assignments.audit_for(session, assignment)
        answers.record_answers(session, audit=audit, answers=[
            AnswerInput("call.answer_time", 15), AnswerInput("call.greeting", "yes"),
            AnswerInput("call.callback", callback), AnswerInput("call.mood", 1),
            AnswerInput("reception.politeness", 4), AnswerInput("reception.wait", "short")])
        submission.submit_audit(session, audit=audit, actor=shopper)
        session.commit()
        return audit.id or 0


def test_return_with_a_comment_resubmit_and_approve(browser: Any, live_app: LiveApp,
                                                    phone: dict[str, Any]) -> None:
    slug = "qa-review"
    shopper_email, qa_email = "shopper-qa-review@example.test", "qa-review@example.test"
    audit_id = _submitted_audit(live_app, slug, shopper_email, qa_email)
    qa_context = browser.new_context(viewport=LAPTOP, locale="en-US")
    qa = qa_context.new_page()
    log_in_page(qa, live_app, qa_email, PASSWORD)

    # The QA lead finds the audit in the queue and returns it with a comment on one item.
    qa.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    qa.wait_for_url("**/review")
    qa.locator(f"a[href$='/review/audits/{audit_id}']").first.click()
    qa.wait_for_url(f"**/review/audits/{audit_id}")
    # A passed item sits folded under "Everything else"; its comment box opens on demand.
    qa.locator("#the-rest > summary").click()
    qa.locator("#item-reception\\.wait .item-comment > summary").click()
    qa.fill("#comment-reception\\.wait", COMMENT)
    qa.get_by_role("button", name="Return with comments").click()
    qa.wait_for_url("**/review?done=return*")
    expect(qa.locator(".flash")).to_contain_text(f"Audit {audit_id} returned")

    # The shopper sees the comment on the item, changes the answer and resubmits.
    shopper_context = browser.new_context(**phone, locale="en-US")
    shopper = shopper_context.new_page()
    log_in_page(shopper, live_app, shopper_email, PASSWORD)
    shopper.goto(f"{live_app.url}/visits/{audit_id}")
    expect(shopper.locator(".qa-note").first).to_contain_text("QA returned the report")
    shopper.goto(f"{live_app.url}/visits/{audit_id}/t/reception")
    item = shopper.locator("#item-reception\\.wait")
    expect(item.locator(".qa-note")).to_contain_text(COMMENT)
    assert item.locator(".qa-note").evaluate("el => getComputedStyle(el).backgroundColor") not in (
        "rgba(0, 0, 0, 0)", "transparent"), "the QA comment is highlighted"
    with shopper.expect_response(lambda r: "/items/reception.wait" in r.url and r.request.method == "POST"):
        item.get_by_label("Over 20 minutes").check()
    expect(shopper.locator("#item-reception\\.wait")).to_have_attribute("data-save-state", "saved")
    shopper.goto(f"{live_app.url}/visits/{audit_id}/overview")
    shopper.locator("#submit-report").click()
    shopper.wait_for_load_state("networkidle")
    shopper_context.close()
    with live_app.session() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None and audit.status == AuditStatus.submitted and audit.submission_count == 2

    # The QA lead sees what changed and approves.
    qa.goto(f"{live_app.url}/review/audits/{audit_id}")
    expect(qa.locator(".flash", has_text="Resubmission")).to_contain_text("1 item changed")
    changed = qa.locator("#item-reception\\.wait")
    expect(changed).to_have_class(re.compile(r"\bchanged\b"))
    expect(qa.locator("#to-decide #item-reception\\.wait")).to_be_visible()  # changed answers lead
    expect(changed.locator(".badge", has_text="changed")).to_be_visible()
    expect(changed.locator(".answer")).to_contain_text("Over 20 minutes")
    expect(changed.locator(".answer del")).to_have_text("Under 10 minutes")  # what it replaced
    expect(changed).to_contain_text(COMMENT)  # the earlier comment stays beside the new answer
    changed.scroll_into_view_if_needed()
    qa.screenshot(path=str(SCREENSHOTS / "qa-review-resubmitted.png"))
    qa.set_viewport_size(TABLET)
    overflow = qa.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the review screen scrolls sideways by {overflow}px on a tablet"
    qa.get_by_role("button", name="Approve").click()
    qa.wait_for_url("**/review?done=approve*")
    expect(qa.locator(".flash")).to_contain_text(f"Audit {audit_id} approved")
    qa_context.close()

    with live_app.session() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None and audit.status == AuditStatus.approved


def _decision_bar_in_view(page: Any) -> bool:
    box = page.locator(".decision-bar").bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1


@pytest.mark.parametrize(("viewport", "decision"), [(PHONE, "return"), (LAPTOP, "approve")], ids=["360", "1280"])
def test_qa_scans_the_failures_first_and_decides_without_scrolling(browser: Any, live_app: LiveApp,
                                                                   viewport: dict[str, int], decision: str) -> None:
    slug = f"qa-scan-{viewport['width']}"
    qa_email = f"qa-scan-{viewport['width']}@example.test"
    audit_id = _submitted_audit(live_app, slug, f"shopper-{slug}@example.test", qa_email, callback="no")
    context = browser.new_context(viewport=viewport, locale="en-US", has_touch=viewport is PHONE)
    page = context.new_page()
    log_in_page(page, live_app, qa_email, PASSWORD)

    page.goto(f"{live_app.url}/review/audits/{audit_id}")

    # The failed answer leads, marked as failed; the passed ones wait folded below.
    lead = page.locator("#to-decide")
    expect(lead.locator("#item-call\\.callback .mark.bad")).to_have_text("✗ failed")
    expect(page.locator(".tally")).to_contain_text("1 failed")
    expect(page.locator("#item-call\\.greeting")).to_be_hidden()  # passed: inside the closed fold
    expect(page.locator("textarea[name=comment]:visible")).to_have_count(0)  # no box under every item
    assert _decision_bar_in_view(page), "the decision is at hand on arrival"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the review screen scrolls sideways by {overflow}px"

    page.locator("#the-rest > summary").click()
    expect(page.locator("#item-call\\.greeting .mark.ok")).to_have_text("✓ passed")
    page.locator("#history").scroll_into_view_if_needed()
    assert _decision_bar_in_view(page), "the decision stays at hand further down"
    page.screenshot(path=str(SCREENSHOTS / f"qa-review-{viewport['width']}.png"))

    if decision == "return":
        page.locator("#item-call\\.callback .item-comment > summary").click()
        page.fill("#comment-call\\.callback", "Did they really not offer a call back?")
        page.get_by_role("button", name="Return").click()  # the phone's short label
        page.wait_for_url("**/review?done=return*")
    else:
        page.get_by_role("button", name="Approve").click()
        page.wait_for_url("**/review?done=approve*")
    context.close()

    with live_app.session() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        assert audit.status == (AuditStatus.returned if decision == "return" else AuditStatus.approved)
