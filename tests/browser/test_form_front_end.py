"""The form page in Chromium as a phone loads it (issue 14): nothing moves when the scripts enhance
it (no layout-shift entries), no request answers 404 (the favicon), a meta description, and the
phone's outbox sends within a few seconds of coming back online, even when its first try fails."""

import re
import time
from typing import Any

from tests.browser.conftest import LiveApp, arrange_visit, log_in_page
from tests.browser.test_offline_queue import choose, item, stored, unsent
from tests.factories import PASSWORD

SAVES = re.compile(r"/visits/\d+/items/")

# Registered before any of the page's own scripts: every shift from the first paint on is buffered.
OBSERVE_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const nodes = (e.sources || []).map((s) => (s.node ? s.node.id || s.node.className || s.node.nodeName : "?"));
    window.__shifts.push({value: e.value, recent: e.hadRecentInput, nodes});
  }
}).observe({type: "layout-shift", buffered: true});
"""


def test_the_form_page_does_not_move_while_its_scripts_enhance_it(page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="no-shift")
    log_in_page(page, live_app, visit.email, PASSWORD)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.add_init_script(OBSERVE_SHIFTS)

    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    page.locator("#offline .all-sent").wait_for()  # offline.js has filled in the outbox line
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")

    assert shifts == [], shifts
    assert item(page, "call.answer_time").locator("[data-stopwatch]").is_visible()
    assert missing == []
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description and len(description) > 30
    assert page.request.get(f"{live_app.url}/favicon.ico").status == 200


def test_the_outbox_sends_soon_after_the_phone_comes_back_online(page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="back-online")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    page.locator("#offline .all-sent").wait_for()
    page.context.set_offline(True)
    choose(page, "call.callback", "yes")
    unsent(page, 1)
    tries: list[str] = []

    def flaky_network(route: Any) -> None:
        tries.append(route.request.url)
        if len(tries) == 1:  # the radio is up, the network not yet: the first send fails
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(SAVES, flaky_network)

    started = time.monotonic()
    page.context.set_offline(False)
    unsent(page, 0)
    elapsed = time.monotonic() - started

    assert len(tries) >= 2
    assert elapsed < 6, f"sent {elapsed:.1f} s after coming online"  # the periodic try comes every 15 s
    answers, _files = stored(live_app, visit.audit_id)
    assert answers["call.callback"].value_num == 1
