"""A QA lead's (and an admin's) menu reaches every page it lists, on a laptop."""

from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import LiveApp, log_in_page
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}


MENUS = {
    Role.qa_lead: ("Review", "Waves", "Checklists", "Scenarios", "Shopper quality", "Reports"),
    Role.admin: ("Users", "Clinics", "Checklists", "Scenarios", "Waves", "Reports"),
}


@pytest.mark.parametrize("role", [Role.qa_lead, Role.admin])
def test_every_menu_link_opens_a_page(browser: Any, live_app: LiveApp, role: Role) -> None:
    email = f"menu-{role.value}@example.test"
    with live_app.session() as session:
        accounts.create_user(session, email=email, role=role, password=PASSWORD)
        session.commit()
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    page = context.new_page()
    log_in_page(page, live_app, email, PASSWORD)

    links = page.locator("header nav a").evaluate_all("links => links.map(a => [a.textContent.trim(), a.href])")
    labels = [label for label, _href in links]
    statuses = {label: page.goto(href).status for label, href in links if href.startswith(live_app.url)}

    for wanted in MENUS[role]:
        assert wanted in labels, labels
    assert statuses and all(status == 200 for status in statuses.values()), statuses
    context.close()
