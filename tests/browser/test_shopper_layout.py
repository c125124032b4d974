"""Every screen of the shopper's form on a small phone (360 px wide): no horizontal scroll, a label
for every field, touch targets of at least 44 px, and a visible focus ring along the whole
keyboard path."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.fieldwork import answers
from app.fieldwork.models import Audit
from tests.browser.conftest import LiveApp, ShopperVisit, arrange_visit, log_in_page
from tests.browser.test_shopper_form import gps_photo
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD

TOUCHPOINTS = [tp["key"] for tp in small_checklist()["touchpoints"]]
SCREENS = ["visits", "visit", "brief", *[f"t/{key}" for key in TOUCHPOINTS], "overview"]
TAP = 44

UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && el.checkVisibility())
  .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML.slice(0, 120))"""

# Buttons, button-like links, radio/checkbox labels, summaries, links inside forms and navigation.
# Links inside running text (p, li text of the missing list) are exempt, as WCAG 2.5.8 allows.
SMALL_TARGETS = """(tap) => [...document.querySelectorAll(
    "button, a.button, label:has(input[type=radio]), label:has(input[type=checkbox]), summary, "
    + "form a, nav a, .file-button")]
  .filter((el) => el.checkVisibility() && !el.closest(".sr-only"))
  .filter((el) => el.getBoundingClientRect().height < tap)
  .map((el) => `${el.tagName} "${el.textContent.trim().slice(0, 30)}" `
    + `${Math.round(el.getBoundingClientRect().height)}px`)"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // focus-within: the calendar button inside a date field has the focus
  const focused = el.matches(":focus-visible") || el.matches(":focus-within");
  const ring = focused && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const label = el.closest("label");  // radios show their ring on the label around them
  const labelRing = label && getComputedStyle(label).outlineStyle !== "none";
  return {what: `${el.tagName} ${el.getAttribute("name") || el.textContent.trim().slice(0, 30)}`,
          visible: Boolean(ring || labelRing)};
}"""


@pytest.fixture(scope="module")
def visit(live_app: LiveApp) -> ShopperVisit:
    visit = arrange_visit(live_app, slug="browser-layout")
    with live_app.session() as session:  # a failing answer with its comment open, and one N/A
        audit = session.get(Audit, visit.audit_id)
        assert audit is not None
        answers.record_answer(session, audit=audit, item_key="call.greeting", value=False, comment="No name")
        answers.record_answer(session, audit=audit, item_key="call.callback", value=None, na=True)
        session.commit()
    return visit


@pytest.fixture(scope="module")
def narrow(browser: Any, phone: dict[str, Any], live_app: LiveApp, visit: ShopperVisit,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A logged-in 360 × 740 phone; a photo attached so the screen shows a thumbnail and its Remove button."""
    context = browser.new_context(**{**phone, "viewport": {"width": 360, "height": 740}})
    page = context.new_page()
    log_in_page(page, live_app, visit.email, PASSWORD)
    page.goto(f"{live_app.url}/visits/{visit.audit_id}/t/reception")
    photo = tmp_path_factory.mktemp("photo") / "desk.jpg"
    photo.write_bytes(gps_photo())
    page.locator("input[name='f.reception.photo']").set_input_files(str(photo))
    page.locator('li[id="item-reception.photo"][data-save-state="saved"] img').wait_for()
    page.close()
    yield context
    context.close()


def open_screen(context: Any, live_app: LiveApp, visit: ShopperVisit, screen: str) -> Any:
    page = context.new_page()
    path = "/visits" if screen == "visits" else \
        f"/visits/{visit.audit_id}" + ("" if screen == "visit" else f"/{screen}")
    response = page.goto(f"{live_app.url}{path}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("screen", SCREENS)
def test_a_360px_screen_has_no_horizontal_scroll(narrow: Any, live_app: LiveApp, visit: ShopperVisit,
                                                  screen: str) -> None:
    page = open_screen(narrow, live_app, visit, screen)

    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")

    assert widths[0] <= widths[1], f"{screen}: {widths[0]} px of content in a {widths[1]} px window"


@pytest.mark.parametrize("screen", SCREENS)
def test_every_visible_field_has_a_label(narrow: Any, live_app: LiveApp, visit: ShopperVisit, screen: str) -> None:
    page = open_screen(narrow, live_app, visit, screen)

    assert page.evaluate(UNLABELLED) == []


@pytest.mark.parametrize("screen", SCREENS)
def test_touch_targets_are_at_least_44px_high(narrow: Any, live_app: LiveApp, visit: ShopperVisit,
                                              screen: str) -> None:
    page = open_screen(narrow, live_app, visit, screen)

    assert page.evaluate(SMALL_TARGETS, TAP) == []


@pytest.mark.parametrize("screen", SCREENS)
def test_the_keyboard_focus_is_always_visible(narrow: Any, live_app: LiveApp, visit: ShopperVisit,
                                              screen: str) -> None:
    page = open_screen(narrow, live_app, visit, screen)
    seen: list[dict[str, Any]] = []

    for _ in range(40):  # the whole tab order of a screen, or its first 40 stops
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused == seen[0] and len(seen) > 1):
            break
        seen.append(focused)

    assert seen, "the keyboard reaches nothing"
    assert [f["what"] for f in seen if not f["visible"]] == []


def test_radio_groups_are_fieldsets_with_a_legend(narrow: Any, live_app: LiveApp, visit: ShopperVisit) -> None:
    for key in TOUCHPOINTS:
        page = open_screen(narrow, live_app, visit, f"t/{key}")

        loose = page.evaluate("""() => [...document.querySelectorAll("input[type=radio]")]
            .filter((r) => !r.closest("fieldset") || !r.closest("fieldset").querySelector("legend"))
            .map((r) => r.name)""")

        assert loose == []
