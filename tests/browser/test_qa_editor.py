"""A QA lead makes a new checklist version in the browser: edits a touchpoint weight, adds a choice
item, sees the validator's problem by its field and fixes it, previews it in the phone frame,
publishes, and reads the diff. Laptop first; the editor must also fit a tablet."""

from collections.abc import Callable
from datetime import date
from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.checklists.models import Checklist, ChecklistVersion
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from app.clinics.models import Clinic, Region
from app.fieldwork import assignments, waves
from app.fieldwork.models import Audit
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}


def _arrange(live_app: LiveApp, slug: str, qa_email: str) -> int:
    """The checklist at version 1 with one audit filled on it, and a QA lead; returns the audit id."""
    with live_app.session() as session:
        save_version(session, ChecklistDoc.model_validate(small_checklist(slug)))
        region = Region(name=f"Region {slug}")
        session.add(region)
        session.flush()
        clinic = Clinic(name=f"Clinic {slug}", region_id=region.id, city="Kazan")
        session.add(clinic)
        wave = waves.create_wave(session, name=f"Wave {slug}", starts_on=date(2026, 11, 1),
                                 ends_on=date(2026, 11, 30))
        shopper = accounts.create_user(session, email=f"shopper-{slug}@example.test", role=Role.shopper,
                                       password=PASSWORD)
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=slug,
                                              scenario=None, shopper=shopper)
        audit_id = assignments.audit_for(session, assignment).id or 0
        accounts.create_user(session, email=qa_email, role=Role.qa_lead, password=PASSWORD)
        session.commit()
        return audit_id


def _htmx(page: Any, fragment: str, action: Callable[[], None]) -> None:
    """Do `action` and wait until htmx has posted to `fragment` and settled the answer in the page
    (each save swaps its block whole, so the next field must be typed into the new one)."""
    page.evaluate("""() => { if (!window.__qaSettles) { window.__qaSettles = 0;
        document.body.addEventListener('htmx:afterSettle', () => { window.__qaSettles += 1; }); } }""")
    before = page.evaluate("window.__qaSettles")
    with page.expect_response(lambda r: fragment in r.url and r.request.method == "POST"):
        action()
    page.wait_for_function("n => window.__qaSettles > n", arg=before)


def _type_and_save(page: Any, slug: str, selector: str, value: str) -> None:
    def type_in() -> None:
        page.fill(selector, value)
        page.locator(selector).dispatch_event("change")

    _htmx(page, f"/checklists/{slug}/draft/tp/1/items/4", type_in)


def test_qa_lead_edits_previews_publishes_and_reads_the_diff(browser: Any, live_app: LiveApp) -> None:
    slug = "qa-editor"
    audit_id = _arrange(live_app, slug, "qa-editor@example.test")
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    page = context.new_page()
    log_in_page(page, live_app, "qa-editor@example.test", PASSWORD)

    # Open the latest version as a draft.
    page.goto(f"{live_app.url}/checklists")
    page.locator("tr", has_text=slug).get_by_role("button", name="Edit").click()
    page.wait_for_url(f"**/checklists/{slug}/draft")

    # Change the reception touchpoint's weight (saved on change).
    page.fill("#tp1-weight", "3")
    _htmx(page, f"/checklists/{slug}/draft/tp/1", lambda: page.locator("#tp1-weight").dispatch_event("change"))

    # Add a choice item to the reception touchpoint.
    add = page.locator("#tp-1 form.add-item")
    add.locator("input[name=key]").fill("reception.water")
    add.locator("input[name=text]").fill("Offered water")
    add.locator("select[name=type]").select_option("choice")
    _htmx(page, f"/checklists/{slug}/draft/structure", add.get_by_role("button", name="Add item").click)
    expect(page.locator("#item-1-4 h3")).to_have_text("reception.water")
    item = page.locator("#item-1-4")

    # A second option without a score: the validator's problem shows by the options.
    _htmx(page, f"/checklists/{slug}/draft/tp/1/items/4", item.get_by_role("button", name="Add option").click)
    for field, value in (("#it1-4-o0-en", "Yes, at once"), ("#it1-4-o1-key", "no")):
        _type_and_save(page, slug, field, value)
    item = page.locator("#item-1-4")
    second_option = item.locator(".option").nth(1)
    expect(second_option.locator(".error", has_text="option 'no' has no score")).to_be_visible()
    expect(second_option.locator(".error", has_text="'text' is required")).to_be_visible()
    expect(item.locator(".option").nth(0).locator(".error")).to_have_count(0)
    expect(page.locator("#draft-status .badge.bad")).to_be_visible()
    item.screenshot(path=str(SCREENSHOTS / "qa-editor-problem.png"))

    # Publishing is refused while the problem remains.
    _htmx(page, f"/checklists/{slug}/draft/publish", page.get_by_role("button", name="Publish as a new version").click)
    expect(page.locator("#draft-status")).to_contain_text("Publishing refused")
    assert page.url.endswith(f"/checklists/{slug}/draft"), "a refused publish keeps the editor's address"

    # Fix it: give the option a score; the problem disappears.
    for field, value in (("#it1-4-o1-en", "No"), ("#it1-4-o1-score", "0")):
        _type_and_save(page, slug, field, value)
    expect(page.locator("#item-1-4 .error")).to_have_count(0)
    expect(page.locator("#draft-status .badge.ok")).to_be_visible()

    # The editor fits a tablet without sideways scrolling.
    page.set_viewport_size(TABLET)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the editor scrolls sideways by {overflow}px on a tablet"
    page.set_viewport_size(LAPTOP)

    # The preview shows the new item inside the phone frame.
    page.locator("#draft-status").get_by_role("link", name="Preview").click()
    page.wait_for_url(f"**/checklists/{slug}/draft/preview*")
    page.locator("nav[aria-label=Touchpoints]").get_by_role("link", name="Reception").click()
    frame = page.locator(".phone-frame")
    assert frame.locator("#item-reception\\.water").is_visible()
    assert "Offered water" in frame.inner_text() and "Yes, at once" in frame.inner_text()

    # Publish from the editor; the diff lists the weight change and the new item.
    page.get_by_role("link", name="Back to the editor").click()
    page.wait_for_url(f"**/checklists/{slug}/draft")
    page.get_by_role("button", name="Publish as a new version").click()
    page.wait_for_url(f"**/checklists/{slug}/versions?published=2*")
    assert "Version 2 is published" in page.locator(".flash").inner_text()
    page.locator("tr", has_text="2").get_by_role("link", name="Changes").click()
    page.wait_for_url(f"**/checklists/{slug}/diff?from=1&to=2")
    touchpoints = page.locator("#diff-touchpoints").inner_text()
    assert "reception" in touchpoints and "weight" in touchpoints and "2 → 3" in touchpoints.replace(".0", "")
    items = page.locator("#diff-items").inner_text()
    assert "reception.water" in items and "added" in items
    page.screenshot(path=str(SCREENSHOTS / "qa-diff.png"), full_page=True)
    context.close()

    with live_app.session() as session:
        checklist = session.exec(select(Checklist).where(Checklist.slug == slug)).one()
        published = session.exec(select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.status == "published")).all()
        audit = session.get(Audit, audit_id)
        first = next(v for v in published if v.version == 1)
        assert sorted(v.version or 0 for v in published) == [1, 2]
        assert audit is not None and audit.checklist_version_id == first.id
