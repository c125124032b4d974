"""Visit validity in the browser: the QA lead sees a doubtful verdict and its reasons in the queue
(and filters by it) and on the review screen, and cannot approve without a note."""

from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from app.accounts import service as accounts
from app.accounts.models import Role
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.clinics.models import Clinic, Region
from app.db_types import utcnow
from app.fieldwork import answers, assignments, submission, visits, waves
from app.fieldwork.answers import AnswerInput
from app.fieldwork.models import Audit, AuditStatus
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}
CLINIC = (55.7558, 37.6173)
FAR = (55.7774, 37.6173)  # 2.4 km north of the clinic


def _doubtful_audit(live_app: LiveApp, slug: str, qa_email: str) -> int:
    """A report submitted nine days after a visit whose check-in was 2.4 km from the clinic."""
    doc = small_checklist(slug)
    doc["touchpoints"][1]["items"] = [i for i in doc["touchpoints"][1]["items"] if i["key"] != "reception.photo"]
    visit = utcnow() - timedelta(days=9, hours=3)
    with live_app.session() as session:
        save_version(session, ChecklistDoc.model_validate(doc))
        region = Region(name=f"Region {slug}")
        session.add(region)
        session.flush()
        clinic = Clinic(name=f"Clinic {slug}", region_id=region.id, city="Moscow",
                        latitude=CLINIC[0], longitude=CLINIC[1])
        session.add(clinic)
        wave = waves.create_wave(session, name=f"Wave {slug}", starts_on=visit.date() - timedelta(days=5),
                                 ends_on=visit.date() + timedelta(days=20))
        shopper = accounts.create_user(session, email=f"shopper-{slug}@example.test", role=Role.shopper,
                                       password=PASSWORD, name="Irina Late")
        accounts.create_user(session, email=qa_email, role=Role.qa_lead, password=PASSWORD)
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=slug,
                                              scenario=None, shopper=shopper, window_start=visit.date(),
                                              window_end=visit.date() + timedelta(days=2))
        audit = assignments.audit_for(session, assignment)
        answers.record_answers(session, audit=audit, answers=[
            AnswerInput("call.answer_time", 15), AnswerInput("call.greeting", "yes"),
            AnswerInput("call.callback", "yes"), AnswerInput("call.mood", 1),
            AnswerInput("reception.politeness", 4), AnswerInput("reception.wait", "short")])
        visits.set_visit_times(session, audit=audit, started_at=visit, ended_at=visit + timedelta(hours=1))
        visits.check_in(session, audit=audit, latitude=FAR[0], longitude=FAR[1], accuracy_m=25)
        submission.submit_audit(session, audit=audit, actor=shopper)
        session.commit()
        assert date.today() >= visit.date()
        return audit.id or 0


def test_qa_sees_a_doubtful_verdict_and_cannot_approve_without_a_note(browser: Any, live_app: LiveApp) -> None:
    qa_email = "qa-validity@example.test"
    audit_id = _doubtful_audit(live_app, "qa-validity", qa_email)
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    page = context.new_page()
    log_in_page(page, live_app, qa_email, PASSWORD)

    # The queue: the verdict and its reasons on the row, and a filter that keeps only doubtful reports.
    page.goto(f"{live_app.url}/review")
    page.select_option("#filter-validity", "doubtful")
    page.wait_for_url("**/review?*validity=doubtful*")
    row = page.locator("#queue tr", has=page.locator(f"a[href$='/review/audits/{audit_id}']"))
    expect(row.locator("[data-verdict]")).to_have_text("doubtful")
    expect(row).to_contain_text("checked in 2.4 km from the clinic")
    expect(row).to_contain_text("submitted 9 days after the visit")
    page.screenshot(path=str(SCREENSHOTS / "qa-validity-queue.png"), full_page=True)

    # The review screen: the panel lists the reasons and each fact with its source.
    row.locator(f"a[href$='/review/audits/{audit_id}']").click()
    page.wait_for_url(f"**/review/audits/{audit_id}")
    panel = page.locator("#validity-panel")
    expect(panel.locator(".verdict")).to_have_text("doubtful")
    expect(panel.locator(".validity-reasons")).to_contain_text("checked in 2.4 km from the clinic")
    expect(panel.locator(".validity-reasons")).to_contain_text("submitted 9 days after the visit")
    expect(panel).to_contain_text("phone location at check-in")
    page.screenshot(path=str(SCREENSHOTS / "qa-validity-panel.png"), full_page=True)

    # Approve without a note: refused, with the reason why; the audit stays submitted.
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".error-box")).to_contain_text("to approve it anyway, write a note")
    with live_app.session() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None and audit.status == AuditStatus.submitted

    # With a note it goes through.
    page.fill("#reason", "Receipt and call log checked: the shopper went, the phone's location was stale.")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/review?done=approve*")
    expect(page.locator(".flash")).to_contain_text(f"Audit {audit_id} approved")
    with live_app.session() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None and audit.status == AuditStatus.approved
    context.close()
