"""The report pages hold at every width: at 360, 768 and 1280 px, in Russian and English, with the
bundled checklists' longest touchpoint titles, no chart text is clipped by its chart or overlaps
another, table cells keep their words inside them, the page never scrolls sideways, and on a
1280 px screen the heatmap and the journey map need no scroller of their own. The emotion curve of
the journey map sits over the map's own stage columns. axe-core (WCAG 2.x A/AA) finds no violation
on the network comparison, the gap report, the journey map and the key-driver page."""

from typing import Any

import pytest

from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.browser.report_world import DIRECTOR, ReportWorld, build_report_world
from tests.factories import PASSWORD

WIDTHS = (360, 768, 1280)
LANGUAGES = ("ru", "en")
# The README's pictures of the report pages (tests/browser/conftest.py: UPDATE_SCREENSHOTS=1).
PICTURES = {("network", 1280, "ru"): "reports-network.png", ("gap report", 360, "ru"): "reports-gap-phone.png",
            ("gap report", 1280, "en"): "reports-gap.png", ("journey map", 1280, "ru"): "reports-journey-map.png",
            ("key drivers", 1280, "en"): "reports-key-drivers.png"}

# Every <text> of every chart (sparklines have none): its box must lie inside its <svg>'s box, and
# no two boxes of one chart may overlap by more than a hair.
CHART_TEXT_PROBLEMS = """() => {
  const problems = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const frame = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll("text")].map(t => [t, t.getBoundingClientRect()]);
    for (const [t, b] of boxes) {
      if (b.width === 0) continue;
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1)
        problems.push(`clipped: "${t.textContent}" in ${svg.getAttribute("class")}`);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) problems.push(`overlap: "${a.textContent}" / "${b.textContent}"`);
    }
  }
  return problems;
}"""

# Table cells whose text overflows their own box (a word wider than its cell).
CELL_OVERFLOW = """() => [...document.querySelectorAll(".report-table th, .journey-table th, .journey-table td")]
  .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim().slice(0, 40))"""

STRIP_OVERFLOW = """(selector) => [...document.querySelectorAll(selector)].map(s => s.scrollWidth - s.clientWidth)"""

# Centre of each stage's point on the curve vs centre of its column heading, in px.
CURVE_ALIGNMENT = """() => {
  const heads = [...document.querySelectorAll(".journey-table thead th[scope=col]")];
  const points = [...document.querySelectorAll(".journey-curve circle.stage-point")];
  return points.map((p, n) => {
    const a = p.getBoundingClientRect(), b = heads[n].getBoundingClientRect();
    return Math.abs((a.left + a.right) / 2 - (b.left + b.right) / 2);
  });
}"""


@pytest.fixture(scope="module")
def world(live_app: LiveApp) -> ReportWorld:
    with live_app.session() as session:
        return build_report_world(session)


def _pages(live_app: LiveApp, world: ReportWorld) -> dict[str, str]:
    slug, wave = "aesthetic-clinic", world.wave_id
    return {"network": f"{live_app.url}/reports?checklist={slug}&wave={wave}",
            "network-dental": f"{live_app.url}/reports?checklist=dental-clinic&wave={wave}",
            "gap report": f"{live_app.url}/reports/clinics/{world.clinic_id}?checklist={slug}&wave={wave}",
            "journey map": f"{live_app.url}/reports/clinics/{world.clinic_id}/journey?wave={wave}",
            "key drivers": f"{live_app.url}/reports/drivers?checklist={slug}"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_report_text_is_never_clipped_nor_overlapping(browser: Any, live_app: LiveApp, world: ReportWorld,
                                                      width: int, language: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
    page = context.new_page()
    log_in_page(page, live_app, DIRECTOR, PASSWORD)
    found: dict[str, Any] = {}

    for name, url in _pages(live_app, world).items():
        page.goto(url)
        found[name] = {
            "charts": page.locator("svg.chart").count(),
            "text": page.evaluate(CHART_TEXT_PROBLEMS),
            "cells": page.evaluate(CELL_OVERFLOW),
            "page scrolls sideways": page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
            "strips": page.evaluate(STRIP_OVERFLOW, ".heatmap-wrap, .journey-map") if width >= 1280 else [],
            "axe": format_violations(found_axe, where=name) if (found_axe := axe_violations(page)) else "",
        }
        if (name, width, language) in PICTURES:
            page.screenshot(path=str(SCREENSHOTS / PICTURES[name, width, language]), full_page=True)
        if name == "journey map":
            found[name]["curve off column"] = [d for d in page.evaluate(CURVE_ALIGNMENT) if d > 2]
    context.close()

    problems = []
    for name, figures in found.items():
        if not figures["charts"] and not name.startswith("network"):
            problems.append(f"{name}: no chart")
        problems += [f"{name}: {p}" for p in figures["text"]]
        problems += [f"{name}: text overflows its cell: {c}" for c in figures["cells"]]
        if figures["page scrolls sideways"] > 0:
            problems.append(f"{name}: the page scrolls sideways by {figures['page scrolls sideways']} px")
        if any(extra > 1 for extra in figures["strips"]):
            problems.append(f"{name}: a strip scrolls at {width} px: {figures['strips']}")
        if figures.get("curve off column"):
            problems.append(f"{name}: curve points off their columns by {figures['curve off column']} px")
        if figures["axe"]:
            problems.append(figures["axe"])
    assert problems == [], "\n".join(problems)
