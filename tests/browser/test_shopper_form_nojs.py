"""The shopper's form without JavaScript: the same pages work as plain forms. "Save and next" (or
Enter) posts the whole touchpoint, the photo goes up with the form, submit works once, and the
report is read-only afterwards."""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlmodel import col, select

from app.checklists.models import Item
from app.fieldwork.models import Answer, Audit, Evidence
from tests.browser.conftest import LiveApp, ShopperVisit, arrange_visit, log_in_page
from tests.browser.test_shopper_form import gps_photo, item
from tests.factories import PASSWORD


@pytest.fixture
def plain_page(browser: Any, phone: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(**phone, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def visit(live_app: LiveApp) -> ShopperVisit:
    return arrange_visit(live_app, slug="browser-nojs")


def test_without_javascript_the_form_saves_each_screen_and_submits_once(
        plain_page: Any, live_app: LiveApp, visit: ShopperVisit, tmp_path: Any) -> None:
    page = plain_page
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits")
    page.locator(f"#visit-{visit.audit_id} a.button.primary").click()
    page.locator("a.button.primary", has_text="Fill in the checklist").click()
    page.wait_for_url(re.compile(r"/t/call$"))

    # What needs JavaScript stays out of the way; the per-item save button is there instead.
    assert not item(page, "call.answer_time").locator("[data-stopwatch]").is_visible()
    assert item(page, "call.answer_time").locator("noscript").count() == 1

    item(page, "call.greeting").locator("label:has(input[value=no])").click()
    item(page, "call.greeting").locator("details.comment summary").click()
    item(page, "call.greeting").locator("textarea[name='c.call.greeting']").fill("No clinic name")
    item(page, "call.callback").locator("label:has(input[value=yes])").click()
    item(page, "call.mood").locator("label:has(input[value='-1'])").click()
    field = item(page, "call.answer_time").locator("input[name='v.call.answer_time']")
    field.fill("25")
    field.press("Enter")  # Enter is "save and next" (the first submit button of the form)
    page.wait_for_url(re.compile(r"/t/reception$"))

    page.go_back()  # every answer of the first screen came back from the server
    page.reload()
    assert item(page, "call.answer_time").locator("input[name='v.call.answer_time']").input_value() == "25"
    assert item(page, "call.greeting").locator("input[value=no]").is_checked()
    assert item(page, "call.mood").locator("input[value='-1']").is_checked()
    page.locator(".pager button.primary").click()
    page.wait_for_url(re.compile(r"/t/reception$"))

    item(page, "reception.politeness").locator("label:has(input[value='2'])").click()
    item(page, "reception.wait").locator("label:has(input[value=long])").click()
    item(page, "reception.notes").locator("textarea[name='v.reception.notes']").fill("Nobody at the desk")
    photo = tmp_path / "desk.jpg"
    photo.write_bytes(gps_photo())
    item(page, "reception.photo").locator("input[name='f.reception.photo']").set_input_files(str(photo))
    page.locator(".pager button.primary").click()  # save and review: the photo goes with the form
    page.wait_for_url(re.compile(r"/overview$"))
    assert page.locator("#missing").count() == 0

    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.locator("#submit-report").click()
    page.wait_for_url(re.compile(rf"/visits/{visit.audit_id}$"))
    again = page.request.post(f"{live_app.url}/visits/{visit.audit_id}/submit", form={"csrf_token": csrf},
                              max_redirects=0)
    assert again.status == 303  # the same answer as the first submit
    page.go_back()  # the overview again, from the browser's history: submitting twice
    page.reload()
    assert page.locator("#submit-report").count() == 0

    with live_app.session() as session:
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None
        assert (audit.status, audit.submission_count) == ("submitted", 1)
        stored = {key: answer for answer, key in session.exec(
            select(Answer, Item.key).join(Item, col(Item.id) == Answer.item_id)
            .where(Answer.audit_id == visit.audit_id)).all()}
        files = session.exec(select(Evidence).where(Evidence.audit_id == visit.audit_id)).all()
    assert stored["call.answer_time"].value_num == 25
    assert (stored["call.greeting"].value_num, stored["call.greeting"].comment) == (0, "No clinic name")
    assert (stored["call.callback"].value_num, stored["call.callback"].na) == (1, False)
    assert stored["call.mood"].value_num == -1
    assert stored["reception.politeness"].value_num == 2
    assert stored["reception.wait"].value_text == "long"
    assert stored["reception.notes"].value_text == "Nobody at the desk"
    assert [f.kind for f in files] == ["photo"]
    assert live_app.media_dir is not None
    with Image.open(io.BytesIO((live_app.media_dir / files[0].stored_name).read_bytes())) as clean:
        assert max(clean.size) <= 2048 and not clean.getexif()

    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/reception")
    assert page.locator("form#touchpoint-form input:not([type=hidden]), form#touchpoint-form textarea").count() == 0
    assert page.locator(".pager button").count() == 0
    assert "Nobody at the desk" in item(page, "reception.notes").inner_text()
