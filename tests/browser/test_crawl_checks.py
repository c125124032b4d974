"""The crawl's checks catch what they claim to: each defect on a small page of its own, and a page
without them passes. Without this the crawl could pass by checking nothing."""

from typing import Any

import pytest

from app.web import labels
from tests.browser.axe import axe_violations
from tests.browser.crawl import PAGE_FACTS_JS, TAP_MIN, RoutePatterns, page_key, raw_codes

PAGE = """<!doctype html><html lang="en"><head><title>t</title><meta name="viewport" content="width=device-width">
<style>body {{ margin: 0; font: 16px sans-serif; }} button {{ display: inline-block; }}
.big {{ min-height: 44px; min-width: 44px; }}</style></head><body><main>{body}</main></body></html>"""


def _facts(page: Any, body: str, *, phone: bool = True) -> dict[str, Any]:
    page.set_viewport_size({"width": 360, "height": 640})
    page.set_content(PAGE.format(body=body))
    return dict(page.evaluate(PAGE_FACTS_JS, [phone, TAP_MIN]))


def test_a_clean_page_has_no_findings(page: Any) -> None:
    facts = _facts(page, '<h1>Fine</h1><p>Text with <a href="#">a link</a> in it.</p>'
                         '<button class="big">Go</button><table><tr><th>Short</th></tr></table>')

    assert (facts["overflow"], facts["strips"], facts["taps"], facts["thBreaks"]) == (None, [], [], [])


def test_a_page_wider_than_the_phone_is_overflow(page: Any) -> None:
    facts = _facts(page, '<div id="wide" style="width: 600px">wide</div>')

    assert facts["overflow"] and "600" in facts["overflow"] and "div#wide" in facts["overflow"]


def test_a_marked_strip_may_scroll_but_an_unmarked_box_must_say_so(page: Any) -> None:
    inner = '<div style="width: 900px">wide</div>'
    facts = _facts(page, f'<div id="plain" style="overflow-x: auto">{inner}</div>'
                         f'<div id="strip" style="overflow-x: auto" data-scroll-strip tabindex="0" role="region"'
                         f' aria-label="Wide">{inner}</div>')

    assert facts["overflow"] is None
    assert facts["strips"] == ["div#plain lacks data-scroll-strip, tabindex=0, role=region, aria-label"]


def test_small_targets_fail_on_the_phone_but_links_in_a_sentence_do_not(page: Any) -> None:
    body = ('<p><a id="alone" href="#">Back</a></p><p>Read <a href="#">the rules</a> first.</p>'
            '<label id="box"><input type="checkbox"> Tick</label><button class="big">Big</button>')

    on_phone = _facts(page, body)
    on_laptop = _facts(page, body, phone=False)

    assert len(on_phone["taps"]) == 2
    assert on_phone["taps"][0].startswith("a#alone") and on_phone["taps"][1].startswith("label#box")
    assert on_laptop["taps"] == []


def test_a_header_word_split_over_two_lines_is_found_but_a_break_at_a_hyphen_is_not(page: Any) -> None:
    facts = _facts(page, '<table><tr><th id="split" style="width: 20px; word-break: break-all">Version</th>'
                         '<th id="hyphen" style="width: 60px">Санкт-Петербург</th></tr></table>')

    assert facts["thBreaks"] == ['th#split breaks "Version"']


def test_raw_codes_are_found_as_words_but_not_inside_addresses_or_other_words() -> None:
    text = "Статус: approved · site · shopper@demo.test · /visits/zero_touchpoint · aesthetic-clinic · 30 s"

    found = raw_codes(text, labels.CODES | {"s"})

    assert found == ["approved", "s", "site"]


def test_pages_are_told_apart_by_their_route_pattern_not_their_ids_or_filters() -> None:
    patterns = RoutePatterns(["/waves", "/waves/{wave_id}", "/checklists/{slug}/diff"])

    assert page_key("http://x/waves/3?done=created", patterns) == page_key("http://x/waves/4", patterns)
    assert page_key("http://x/waves/3", patterns) == "/waves/{wave_id}"
    assert page_key("http://x/nowhere", patterns) is None


@pytest.mark.parametrize("rule", ["image-alt", "button-name"])
def test_axe_reports_a_violation_with_its_rule_and_target(page: Any, rule: str) -> None:
    page.set_content(PAGE.format(body='<img id="pic" src="data:,"><button id="empty"></button>'))

    violations = {v.rule: v for v in axe_violations(page)}

    assert rule in violations and violations[rule].targets and violations[rule].impact in {"critical", "serious"}
