"""A choice field over a long table in the browser: typing in its search box narrows the <select>
(htmx asks /choices/…), the box's own change does not reload the filtered list, and the option
found is chosen like any other."""

import re
from typing import Any

from playwright.sync_api import expect

from app.accounts import service as accounts
from app.accounts.models import Role
from app.clinics.models import Clinic, Region
from app.web.choices import CHOICE_LIMIT
from tests.browser.conftest import LiveApp, log_in_page
from tests.factories import PASSWORD

LAPTOP = {"width": 1280, "height": 800}


def test_typing_in_the_search_box_finds_a_clinic_beyond_the_first_page(page: Any, live_app: LiveApp) -> None:
    with live_app.session() as session:
        region = Region(name="Region of many")
        session.add(region)
        session.flush()
        session.add_all([Clinic(name=f"Many clinic {n:03}", region_id=region.id, city="Omsk")
                         for n in range(CHOICE_LIMIT + 20)])
        accounts.create_user(session, email="qa-choices@example.test", role=Role.qa_lead, password=PASSWORD)
        session.commit()
    page.set_viewport_size(LAPTOP)
    log_in_page(page, live_app, "qa-choices@example.test", PASSWORD)
    page.goto(f"{live_app.url}/review")
    field = page.locator("#filter-clinic")
    expect(field.locator("option", has_text="Many clinic 069")).to_have_count(0)  # beyond the first page

    page.locator("#filter-clinic-q").fill("many CLINIC 069")
    expect(field.locator("option:not([value=''])")).to_have_count(1)
    page.keyboard.press("Tab")  # the box's change event: it must not reload the queue
    page.wait_for_timeout(400)
    assert "clinic=" not in page.url

    field.select_option(label="Many clinic 069 (Region of many)")
    expect(page).to_have_url(re.compile(r"[?&]clinic=\d+"))
    expect(page.locator("#filter-clinic")).to_have_value(re.compile(r"\d+"))
