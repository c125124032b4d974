"""The shopper's form on a phone, with JavaScript: every item type answered through autosave across
both touchpoints, a reload half-way keeps every answer, the stopwatch fills its field, a real photo
with GPS EXIF is stored clean and smaller, and a double submit gives one submission. Takes the
README screenshots on the way."""

import io
import re
from typing import Any

import pytest
from PIL import Image
from sqlmodel import col, select

from app.checklists.models import Item
from app.fieldwork.models import Answer, Audit, Evidence
from app.trail.models import TrailEvent
from tests.browser.conftest import SCREENSHOTS, LiveApp, ShopperVisit, arrange_visit, log_in_page
from tests.factories import PASSWORD


def item(page: Any, key: str) -> Any:
    return page.locator(f'li[id="item-{key}"]')


def wait_saved(page: Any, key: str) -> None:
    """The item's fragment came back from the server saying "saved"."""
    page.locator(f'li[id="item-{key}"][data-save-state="saved"]').wait_for()
    page.wait_for_load_state("networkidle")


def choose(page: Any, key: str, value: str) -> None:
    """Tap the label of a radio (what a thumb does), then wait for its autosave."""
    item(page, key).locator(f'label:has(input[value="{value}"])').click()
    page.locator(f'li[id="item-{key}"][data-save-state="saved"]:has(input[value="{value}"]:checked)').wait_for()
    page.wait_for_load_state("networkidle")


def type_and_leave(page: Any, key: str, field: str, text: str) -> None:
    """Type into a field and move on (change fires on blur), then wait for the autosave."""
    box = item(page, key).locator(f'[name="{field}.{key}"]')
    box.fill(text)
    box.press("Tab")
    page.locator(f'li[id="item-{key}"][data-save-state="saved"]').wait_for()
    page.wait_for_load_state("networkidle")


def gps_photo() -> bytes:
    """A 3000×2000 camera-sized JPEG whose EXIF says where it was taken."""
    image = Image.radial_gradient("L").resize((3000, 2000)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone Camera X"  # Model
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}  # GPSInfo: Moscow
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test photo really carries GPS
    return data


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), scale="css", animations="disabled")


@pytest.fixture(scope="module")
def visit(live_app: LiveApp) -> ShopperVisit:
    return arrange_visit(live_app, slug="browser-js")


def test_a_shopper_fills_every_item_type_with_autosave_and_submits_once(
        page: Any, live_app: LiveApp, visit: ShopperVisit, tmp_path: Any) -> None:
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits")
    page.locator(f"#visit-{visit.audit_id} a.button.primary").click()
    page.wait_for_url(re.compile(rf"/visits/{visit.audit_id}$"))

    page.locator("a.button", has_text="Scenario brief").click()
    page.wait_for_url(re.compile(r"/brief$"))
    assert page.get_by_text("Do not say that you are checking the clinic").is_visible()
    shot(page, "shopper-brief.png")
    page.go_back()

    page.locator("a.button.primary", has_text="Fill in the checklist").click()
    page.wait_for_url(re.compile(r"/t/call$"))
    assert page.locator("form#touchpoint-form").count() == 1

    # Stopwatch: visible once JavaScript runs; start, wait, stop → the seconds go into the field and are saved.
    stopwatch = item(page, "call.answer_time").locator("[data-stopwatch]")
    assert stopwatch.is_visible()
    stopwatch.locator("[data-sw-toggle]").click()
    page.wait_for_timeout(600)
    stopwatch.locator("[data-ring]").click()
    stopwatch.locator("[data-ring]").click()
    page.wait_for_timeout(700)
    assert stopwatch.locator("[data-rings]").inner_text() == "2"
    shot(page, "shopper-stopwatch.png")
    stopwatch.locator("[data-sw-toggle]").click()
    wait_saved(page, "call.answer_time")
    seconds = int(item(page, "call.answer_time").locator('input[name="v.call.answer_time"]').input_value())
    assert seconds >= 1

    # Yes/no failing on a critical item: its comment becomes required, and is saved.
    choose(page, "call.greeting", "no")
    comment = item(page, "call.greeting").locator("details.comment")
    assert comment.get_attribute("open") is not None
    assert "required for this answer" in comment.locator("summary").inner_text()
    type_and_leave(page, "call.greeting", "c", "Said only hello, no clinic name")
    item(page, "call.callback").locator("label.na").click()  # N/A toggle
    page.locator('li[id="item-call.callback"][data-save-state="saved"]:has(input[name="na.call.callback"]:checked)'
                 ).wait_for()
    choose(page, "call.mood", "1")  # emotion
    shot(page, "shopper-form.png")

    # Half-way: a reload shows every answer saved so far.
    page.reload()
    assert item(page, "call.answer_time").locator("input[name='v.call.answer_time']").input_value() == str(seconds)
    assert item(page, "call.greeting").locator("input[value=no]").is_checked()
    assert item(page, "call.greeting").locator("textarea[name='c.call.greeting']").input_value() \
        == "Said only hello, no clinic name"
    assert item(page, "call.callback").locator("input[name='na.call.callback']").is_checked()
    assert item(page, "call.mood").locator("input[value='1']").is_checked()
    saved_at = item(page, "call.mood").locator(".saved time").inner_text()
    assert re.fullmatch(r"\d{1,2}:\d{2}( [AP]M)?", saved_at), saved_at  # today's save: the time, no date
    assert page.locator("#journey li[aria-current=step] .badge").inner_text() == "4/4"

    page.locator(".pager button.primary").click()  # save and next
    page.wait_for_url(re.compile(r"/t/reception$"))
    choose(page, "reception.politeness", "4")  # scale
    choose(page, "reception.wait", "medium")  # choice
    type_and_leave(page, "reception.notes", "v", "Clean, quiet waiting room")  # text
    photo = tmp_path / "desk.jpg"
    photo.write_bytes(gps_photo())
    item(page, "reception.photo").locator("input[name='f.reception.photo']").set_input_files(str(photo))
    page.locator('li[id="item-reception.photo"][data-save-state="saved"] img').wait_for()  # evidence
    page.wait_for_load_state("networkidle")

    page.reload()
    assert item(page, "reception.politeness").locator("input[value='4']").is_checked()
    assert item(page, "reception.wait").locator("input[value=medium]").is_checked()
    assert item(page, "reception.notes").locator("textarea[name='v.reception.notes']").input_value() \
        == "Clean, quiet waiting room"
    assert item(page, "reception.photo").locator("img").count() == 1

    page.locator(".pager button.primary").click()  # save and review
    page.wait_for_url(re.compile(r"/overview$"))
    assert page.locator("#missing").count() == 0
    shot(page, "shopper-overview.png")

    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.locator("#submit-report").dblclick()
    page.wait_for_url(re.compile(rf"/visits/{visit.audit_id}$"))
    again = page.request.post(f"{live_app.url}/visits/{visit.audit_id}/submit", form={"csrf_token": csrf},
                              max_redirects=0)  # a second tab submitting the same report
    assert again.status == 303

    with live_app.session() as session:
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None
        assert (audit.status, audit.submission_count) == ("submitted", 1)
        assert len(session.exec(select(TrailEvent).where(
            TrailEvent.verb == "audit.submit", TrailEvent.entity_id == visit.audit_id)).all()) == 1
        stored = {key: answer for answer, key in session.exec(
            select(Answer, Item.key).join(Item, col(Item.id) == Answer.item_id)
            .where(Answer.audit_id == visit.audit_id)).all()}
        files = session.exec(select(Evidence).where(Evidence.audit_id == visit.audit_id)).all()
    assert stored["call.answer_time"].value_num == seconds
    assert (stored["call.greeting"].value_num, stored["call.greeting"].comment) \
        == (0, "Said only hello, no clinic name")
    assert stored["call.callback"].na is True
    assert stored["call.mood"].value_num == 1
    assert stored["reception.politeness"].value_num == 4
    assert stored["reception.wait"].value_text == "medium"
    assert stored["reception.notes"].value_text == "Clean, quiet waiting room"

    assert len(files) == 1 and files[0].kind == "photo"
    assert live_app.media_dir is not None
    kept = (live_app.media_dir / files[0].stored_name).read_bytes()
    with Image.open(io.BytesIO(kept)) as clean:
        assert max(clean.size) <= 2048
        assert clean.size == (2048, 1365)
        assert not clean.getexif()
        assert "exif" not in clean.info
    assert b"Exif" not in kept and b"Phone Camera X" not in kept

    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")  # read-only after submit
    states = page.locator("li[data-save-state]").evaluate_all("els => els.map(e => e.dataset.saveState)")
    assert set(states) == {"readonly"}
    assert page.locator("form#touchpoint-form input:not([type=hidden])").count() == 0


def test_a_save_lost_to_a_dead_connection_shows_on_the_item_and_is_sent_again(
        page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="browser-offline")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")

    page.context.set_offline(True)
    item(page, "call.mood").locator('label:has(input[value="-2"])').click()
    page.locator('li[id="item-call.mood"][data-save-state="failed"]').wait_for()
    assert item(page, "call.mood").locator(".failed-note").is_visible()

    page.context.set_offline(False)  # the browser's "online" event sends it again
    page.locator('li[id="item-call.mood"][data-save-state="saved"]').wait_for()
    page.wait_for_load_state("networkidle")

    with live_app.session() as session:
        stored = session.exec(select(Answer).join(Item, col(Item.id) == Answer.item_id)
                              .where(Answer.audit_id == visit.audit_id, Item.key == "call.mood")).all()
    assert [a.value_num for a in stored] == [-2]


def test_a_refused_answer_shows_its_reason_on_the_item_and_keeps_the_saved_one(
        page: Any, live_app: LiveApp) -> None:
    visit = arrange_visit(live_app, slug="browser-refused")
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/call")
    type_and_leave(page, "call.answer_time", "v", "14")

    box = item(page, "call.answer_time").locator("input[name='v.call.answer_time']")
    box.fill("fourteen")
    box.press("Tab")
    page.locator('li[id="item-call.answer_time"][data-save-state="invalid"]').wait_for()

    error = item(page, "call.answer_time").locator("[role=alert]")
    assert error.is_visible() and error.inner_text().strip()
    assert box.get_attribute("aria-invalid") == "true"
    with live_app.session() as session:
        stored = session.exec(select(Answer).join(Item, col(Item.id) == Answer.item_id)
                              .where(Answer.audit_id == visit.audit_id, Item.key == "call.answer_time")).one()
    assert stored.value_num == 14
