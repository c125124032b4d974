"""The form with no network (issue 9): answers and a photo made offline survive a reload, a new page
and a browser restart, reach the server once the network is back, and only then leave the phone's
outbox. A captive portal's "200 OK" clears nothing; a response lost on the way back sends again
without duplicates."""

import contextlib
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import col, select

from app.checklists.models import Item
from app.fieldwork.models import Answer, Evidence
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveApp, arrange_visit, log_in_page
from tests.factories import PASSWORD

SAVES = re.compile(r"/visits/\d+/items/")


def photo_file(tmp_path: Path) -> str:
    path = tmp_path / "desk.jpg"
    Image.radial_gradient("L").resize((3000, 2000)).convert("RGB").save(path, "JPEG", quality=90)
    return str(path)


def item(page: Any, key: str) -> Any:
    return page.locator(f'li[id="item-{key}"]')


def unsent(page: Any, n: int) -> None:
    page.locator(f'#offline[data-unsent="{n}"]').wait_for(state="attached")


def choose(page: Any, key: str, value: str) -> None:
    item(page, key).locator(f'label:has(input[value="{value}"])').click()


def open_visit_for_offline(page: Any, live_app: LiveApp, audit_id: int) -> None:
    """Open the visit online and wait until the service worker kept its pages on the phone."""
    page.goto(f"{live_app.url}/visits/{audit_id}")
    page.locator("#offline[data-kept]").wait_for(state="attached", timeout=20000)


def stored(live_app: LiveApp, audit_id: int) -> tuple[dict[str, Answer], list[Evidence]]:
    with live_app.session() as session:
        answers = {key: answer for answer, key in session.exec(
            select(Answer, Item.key).join(Item, col(Item.id) == Answer.item_id)
            .where(Answer.audit_id == audit_id)).all()}
        files = list(session.exec(select(Evidence).where(Evidence.audit_id == audit_id)).all())
    return answers, files


def fill_offline(page: Any, live_app: LiveApp, audit_id: int, tmp_path: Path) -> None:
    """Three answers on the first screen, one answer and a photo on the second, all with no network."""
    page.goto(f"{live_app.url}/visits/{audit_id}/t/call")
    page.context.set_offline(True)
    choose(page, "call.mood", "-2")
    page.locator('li[id="item-call.mood"][data-save-state="failed"]').wait_for()
    choose(page, "call.callback", "yes")
    box = item(page, "call.answer_time").locator("input[name='v.call.answer_time']")
    box.fill("14")
    box.press("Tab")
    unsent(page, 3)
    assert item(page, "call.mood").locator(".failed-note").is_visible()  # per-item "not sent yet"

    page.goto(f"{live_app.url}/visits/{audit_id}/t/reception")  # the phone's copy of the next screen
    choose(page, "reception.wait", "medium")
    item(page, "reception.photo").locator("input[name='f.reception.photo']").set_input_files(photo_file(tmp_path))
    item(page, "reception.photo").locator(".file.queued img").wait_for()
    unsent(page, 5)


def assert_offline_answers_shown(page: Any, live_app: LiveApp, audit_id: int) -> None:
    page.goto(f"{live_app.url}/visits/{audit_id}/t/reception")
    unsent(page, 5)
    assert item(page, "reception.wait").locator("input[value=medium]").is_checked()
    assert item(page, "reception.photo").locator(".file.queued img").count() == 1
    page.goto(f"{live_app.url}/visits/{audit_id}/t/call")
    unsent(page, 5)
    assert item(page, "call.mood").locator('input[value="-2"]').is_checked()
    assert item(page, "call.callback").locator("input[value=yes]").is_checked()
    assert item(page, "call.answer_time").locator("input[name='v.call.answer_time']").input_value() == "14"


def assert_on_server(live_app: LiveApp, audit_id: int) -> None:
    answers, files = stored(live_app, audit_id)
    assert {key: (a.value_num, a.value_text) for key, a in answers.items()} == {
        "call.mood": (-2, None), "call.callback": (1, None), "call.answer_time": (14, None),
        "reception.wait": (None, "medium")}
    assert len(files) == 1 and files[0].kind == "photo"
    assert max(files[0].width or 0, files[0].height or 0) == 2048  # resized on the phone, kept by the server


def test_answers_and_a_photo_made_offline_survive_reload_and_a_new_page_and_reach_the_server_once(
        page: Any, live_app: LiveApp, tmp_path: Path) -> None:
    visit = arrange_visit(live_app, slug="offline-queue")
    log_in_page(page, live_app, visit.email, PASSWORD)
    open_visit_for_offline(page, live_app, visit.audit_id)
    fill_offline(page, live_app, visit.audit_id, tmp_path)
    assert stored(live_app, visit.audit_id) == ({}, [])

    page.reload()  # offline: the service worker's copy, with the outbox put back in the fields
    unsent(page, 5)
    assert item(page, "reception.wait").locator("input[value=medium]").is_checked()
    page.locator("#offline .unsent").wait_for()

    page.close()  # the tab is closed; a new one opens the form, still with no network
    again = page.context.new_page()
    assert_offline_answers_shown(again, live_app, visit.audit_id)

    assert stored(live_app, visit.audit_id) == ({}, [])

    again.context.set_offline(False)
    unsent(again, 0)
    again.locator("#offline .all-sent").wait_for()
    assert_on_server(live_app, visit.audit_id)


def test_a_captive_portal_answering_200_html_clears_nothing(page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-portal")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    portal = []

    def captive(route: Any) -> None:
        portal.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<html><h1>Welcome to Metro Wi-Fi</h1></html>")

    page.route(SAVES, captive)
    choose(page, "call.mood", "1")
    page.locator('li[id="item-call.mood"][data-save-state="failed"]').wait_for()
    unsent(page, 1)
    assert portal and stored(live_app, visit.audit_id) == ({}, [])

    page.unroute(SAVES)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    unsent(page, 0)
    page.locator('li[id="item-call.mood"][data-save-state="saved"]').wait_for()
    answers, _ = stored(live_app, visit.audit_id)
    assert answers["call.mood"].value_num == 1


def test_resends_after_a_lost_response_create_no_duplicates(page: Any, live_app: LiveApp, tmp_path: Path) -> None:
    visit = arrange_visit(live_app, slug="offline-dropped")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/reception")
    reached: list[tuple[str, int]] = []

    def lost_on_the_way_back(route: Any) -> None:
        reached.append((route.request.url, route.fetch().status))  # the server gets it and answers...
        with contextlib.suppress(PlaywrightError):  # the page may have given up first: lost all the same
            route.abort("connectionreset")  # ...and the phone never hears back

    def wait_reached(times: int) -> None:
        for _ in range(200):
            urls = [url for url, _ in reached]
            if len(set(urls)) == 2 and all(urls.count(u) >= times for u in urls):
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"not sent {times} times: {reached}")

    page.route(SAVES, lost_on_the_way_back)
    choose(page, "reception.wait", "long")
    item(page, "reception.photo").locator("input[name='f.reception.photo']").set_input_files(photo_file(tmp_path))
    wait_reached(1)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # a retry, lost again
    wait_reached(2)
    assert {status for _, status in reached} == {200}
    answers, files = stored(live_app, visit.audit_id)
    assert answers["reception.wait"].value_text == "long" and len(files) == 1  # applied, still unacknowledged
    unsent(page, 2)

    page.unroute(SAVES)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    unsent(page, 0)
    answers, files = stored(live_app, visit.audit_id)
    assert answers["reception.wait"].value_text == "long"
    assert len(files) == 1
    assert item(page, "reception.photo").locator("img").count() == 1


def test_the_outbox_and_the_form_survive_a_browser_restart(
        playwright: Any, phone: dict[str, Any], live_app: LiveApp, tmp_path: Path) -> None:
    visit = arrange_visit(live_app, slug="offline-restart")
    profile = tmp_path / "profile"
    device = {k: v for k, v in phone.items() if k != "default_browser_type"}
    launch = dict(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **device)
    context = playwright.chromium.launch_persistent_context(str(profile), **launch)
    page = context.new_page()
    log_in_page(page, live_app, visit.email, PASSWORD)
    open_visit_for_offline(page, live_app, visit.audit_id)
    fill_offline(page, live_app, visit.audit_id, tmp_path)
    context.close()  # the browser is closed with the phone still offline

    context = playwright.chromium.launch_persistent_context(str(profile), **launch)
    try:
        context.set_offline(True)
        page = context.new_page()
        assert_offline_answers_shown(page, live_app, visit.audit_id)
        assert stored(live_app, visit.audit_id) == ({}, [])

        context.set_offline(False)
        unsent(page, 0)
        assert_on_server(live_app, visit.audit_id)
    finally:
        context.close()


def test_a_save_that_hangs_stays_unsent_through_a_reload_and_is_sent_once_later(
        page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="offline-hang")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    hung: list[Any] = []

    def never_answer(route: Any) -> None:
        hung.append(route)  # the request leaves and nothing ever comes back

    page.route(SAVES, never_answer)

    choose(page, "call.callback", "no")
    page.locator('li[id="item-call.callback"][data-save-state="saving"]').wait_for()
    unsent(page, 1)
    page.reload()  # the hanging request dies with the page; the change is still on the phone
    unsent(page, 1)
    assert item(page, "call.callback").locator("input[value=no]").is_checked()
    assert hung and stored(live_app, visit.audit_id) == ({}, [])

    page.unroute(SAVES)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    unsent(page, 0)
    answers, _ = stored(live_app, visit.audit_id)
    assert [(key, a.value_num) for key, a in answers.items()] == [("call.callback", 0)]
