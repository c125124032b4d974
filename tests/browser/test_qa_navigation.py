"""A QA lead's menu reaches every desk page, on a laptop."""

from typing import Any

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import LiveApp, log_in_page
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}


def test_every_menu_link_of_a_qa_lead_opens_a_page(browser: Any, live_app: LiveApp) -> None:
    with live_app.session() as session:
        accounts.create_user(session, email="qa-menu@example.test", role=Role.qa_lead, password=PASSWORD)
        session.commit()
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    page = context.new_page()
    log_in_page(page, live_app, "qa-menu@example.test", PASSWORD)

    links = page.locator("header nav a").evaluate_all("links => links.map(a => [a.textContent.trim(), a.href])")
    labels = [label for label, _href in links]
    statuses = {label: page.goto(href).status for label, href in links if href.startswith(live_app.url)}

    for wanted in ("Review", "Waves", "Checklists", "Scenarios", "Shopper quality", "Reports"):
        assert wanted in labels, labels
    assert statuses and all(status == 200 for status in statuses.values()), statuses
    context.close()
