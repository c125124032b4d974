"""What the shopper is told when the phone's outbox cannot simply be sent: the report was submitted
meanwhile (409: kept, explained, copyable, discarded only by the shopper), a newer answer was saved
from elsewhere (kept and shown, the stored answer in the field), and submit refused in the page while
changes are still only on the phone. An edit made after the phone's clock was set back is still the
newer one: the phone numbers its changes."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from app.checklists.models import Item
from app.fieldwork.answers import AnswerInput, record_answers
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


SET_CLOCK_BACK = """() => {
  const Real = Date, shift = -3600 * 1000;  // the phone's clock corrected back by an hour
  window.Date = class extends Real {
    constructor(...args) { super(...(args.length ? args : [Real.now() + shift])); }
    static now() { return Real.now() + shift; }
  };
}"""


def answer_time(live_app: LiveApp, audit_id: int) -> float | None:
    with live_app.session() as session:
        (answer,) = session.exec(select(Answer).join(Item, col(Item.id) == Answer.item_id)
                                 .where(Answer.audit_id == audit_id, Item.key == "call.answer_time")).all()
        return answer.value_num


def test_an_edit_made_offline_after_the_clock_was_set_back_is_the_one_stored(page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-clock")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    box = page.locator("input[name='v.call.answer_time']")
    box.fill("14")
    box.press("Tab")
    page.locator('li[id="item-call.answer_time"][data-save-state="saved"]').wait_for()
    unsent(page, 0)
    assert answer_time(live_app, visit.audit_id) == 14

    page.evaluate(SET_CLOCK_BACK)
    page.context.set_offline(True)
    box.fill("20")
    box.press("Tab")
    unsent(page, 1)
    page.context.set_offline(False)

    unsent(page, 0)
    page.locator("#offline .all-sent").wait_for()
    assert page.locator("#offline .held li").count() == 0
    assert answer_time(live_app, visit.audit_id) == 20  # by the phone's own order, not its clock


def test_a_change_older_than_one_saved_from_another_device_is_kept_and_shown_not_dropped(
        page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-newer")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    page.context.set_offline(True)
    page.locator('li[id="item-call.mood"] label:has(input[value="-2"])').click()
    unsent(page, 1)
    with live_app.session() as session:  # meanwhile a later answer from the shopper's tablet
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None
        record_answers(session, audit=audit, answers=[AnswerInput(
            "call.mood", 1, client_change_id="tablet-1", client_changed_at=datetime.now(UTC) + timedelta(hours=1),
            client_device_id="tablet-0002-bbbb", client_seq=1)])
        session.commit()

    page.context.set_offline(False)

    held = page.locator("#offline .held li")
    held.wait_for()
    assert "a newer answer to this question was saved meanwhile" in held.inner_text()
    assert "call.mood: -2" in held.locator("code").inner_text()  # the shopper's change, to copy or redo
    unsent(page, 1)
    mood = page.locator('li[id="item-call.mood"]')
    mood.locator(".error", has_text="a newer answer").wait_for()
    assert mood.locator('input[value="1"]').is_checked()  # the stored answer is what the form shows
    with live_app.session() as session:
        (answer,) = session.exec(select(Answer).where(Answer.audit_id == visit.audit_id)).all()
        assert (answer.value_num, answer.client_change_id) == (1, "tablet-1")
