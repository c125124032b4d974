"""A director opens the network comparison and a clinic's gap report, on a phone and on a laptop:
the figures and charts are there and the page never scrolls sideways (wide tables scroll inside
their own box)."""

from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import SCREENSHOTS, LiveApp, log_in_page
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_clinic, make_region
from tests.reports.conftest import PERFECT
from tests.reports.factories import NA, make_audit, make_version, make_wave

LAPTOP = {"width": 1280, "height": 800}
SLUG = "browser-reports"


@pytest.fixture(scope="module")
def report_network(live_app: LiveApp) -> dict[str, Any]:
    """Alpha (3 visits, a critical failure), Beta (1 perfect visit) and a competitor, committed."""
    with live_app.session() as session:
        version = make_version(session, small_checklist(SLUG))
        wave = make_wave(session, "Browser reports wave")
        region = make_region(session, "Browser reports region")
        alpha = make_clinic(session, name="Browser Alpha", region=region)
        beta = make_clinic(session, name="Browser Beta", region=region)
        rival = make_clinic(session, name="Browser Rival", region=region, is_competitor=True)
        make_audit(session, version=version, clinic=alpha, wave=wave, answers={
            **PERFECT, "call.callback": NA, "reception.wait": "medium", "call.mood": 1})
        make_audit(session, version=version, clinic=alpha, wave=wave, answers={
            **PERFECT, "call.greeting": False, "call.answer_time": 40, "call.mood": -1},
            comments={"call.greeting": "Did not give her name"})
        make_audit(session, version=version, clinic=alpha, wave=wave, answers={**PERFECT, "reception.wait": "long"})
        make_audit(session, version=version, clinic=beta, wave=wave, answers=PERFECT)
        make_audit(session, version=version, clinic=rival, wave=wave, answers={**PERFECT, "reception.wait": "medium"})
        accounts.create_user(session, email="director-reports@example.test", role=Role.director, password=PASSWORD,
                             whole_network=True)
        session.commit()
        return {"alpha": alpha.id, "wave": wave.id}


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_director_reads_the_comparison_and_the_gap_report(browser: Any, live_app: LiveApp, phone: dict[str, Any],
                                                          report_network: dict[str, Any], device: str) -> None:
    options = phone if device == "phone" else {"viewport": LAPTOP}
    context = browser.new_context(**options, locale="en-US")
    page = context.new_page()
    log_in_page(page, live_app, "director-reports@example.test", PASSWORD)

    page.goto(f"{live_app.url}/reports?checklist={SLUG}&wave={report_network['wave']}")
    heatmap = page.locator("table.heatmap")
    comparison_fits = _no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"reports-network-{device}.png"), full_page=True)
    page.get_by_role("link", name="Browser Alpha").click()
    page.wait_for_load_state("networkidle")
    gap_report_fits = _no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"reports-clinic-{device}.png"), full_page=True)

    assert comparison_fits and gap_report_fits
    assert page.url.endswith(f"/reports/clinics/{report_network['alpha']}?wave={report_network['wave']}"
                             f"&checklist={SLUG}")
    assert page.locator("svg.chart.bars").is_visible()
    assert page.get_by_text("Did not give her name").is_visible()
    assert page.get_by_text("Critical failures: 1").is_visible()
    page.go_back()
    assert heatmap.locator("tr.competitor").count() == 1
    assert heatmap.get_by_text("Browser Beta").is_visible()
    context.close()
