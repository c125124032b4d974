"""What the shopper is told when the phone's outbox cannot simply be sent: the report was submitted
meanwhile (409: kept, explained, copyable, discarded only by the shopper), and submit refused in the
page while changes are still only on the phone."""

import re
from typing import Any

from sqlmodel import select

from app.fieldwork.models import Answer, Audit, AuditStatus
from tests.browser.conftest import LiveApp, arrange_visit, log_in_page
from tests.factories import PASSWORD

SAVES = re.compile(r"/visits/\d+/items/")


def unsent(page: Any, n: int) -> None:
    page.locator(f'#offline[data-unsent="{n}"]').wait_for(state="attached")


def test_a_change_made_offline_on_a_report_submitted_meanwhile_is_kept_and_explained(
        page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-conflict")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    page.context.set_offline(True)
    page.locator('li[id="item-call.mood"] label:has(input[value="-2"])').click()
    unsent(page, 1)
    with live_app.session() as session:  # meanwhile the report was submitted (another device)
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None
        audit.status = AuditStatus.submitted
        session.add(audit)
        session.commit()

    page.context.set_offline(False)
    held = page.locator("#offline .held li")
    held.wait_for()
    assert "can no longer be changed" in held.inner_text()
    assert "call.mood: -2" in held.locator("code").inner_text()  # what to copy and send to QA
    unsent(page, 1)
    assert page.locator('li[id="item-call.mood"][data-save-state="rejected"] .offline-note').is_visible()
    with live_app.session() as session:
        assert session.exec(select(Answer).where(Answer.audit_id == visit.audit_id)).all() == []

    page.reload()  # still kept, still explained
    page.locator("#offline .held li").wait_for()
    unsent(page, 1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#offline .held button.danger").click()  # only the shopper throws it away
    page.wait_for_load_state("load")
    unsent(page, 0)


def test_submit_is_refused_in_the_page_while_changes_are_only_on_the_phone(page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-submit")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    page.route(SAVES, lambda route: route.abort("internetdisconnected"))
    page.locator('li[id="item-call.mood"] label:has(input[value="1"])').click()
    page.locator('li[id="item-call.mood"][data-save-state="failed"]').wait_for()

    page.goto(f"{live_app.url}/visits/{visit.audit_id}/overview")
    unsent(page, 1)
    page.locator("#submit-report").click()

    page.locator("#offline p.error", has_text="still only on this phone").wait_for()
    assert page.url.endswith("/overview")
    with live_app.session() as session:
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None and audit.status == AuditStatus.draft
