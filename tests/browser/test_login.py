"""Each role logs in on a phone and sees its own navigation."""

from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser.conftest import LiveApp, log_in_page
from tests.factories import PASSWORD


@pytest.fixture(scope="module")
def people(live_app: LiveApp) -> dict[str, str]:
    with live_app.session() as session:
        from app.clinics.models import Clinic, Region

        region = Region(name="Browser region")
        session.add(region)
        session.flush()
        clinic = Clinic(name="Browser clinic", region_id=region.id, city="Kazan")
        session.add(clinic)
        session.flush()
        emails = {}
        for role in Role:
            email = f"browser-{role}@example.test"
            extra = {"clinic_id": clinic.id} if role == Role.manager else {}
            accounts.create_user(session, email=email, role=role, password=PASSWORD, **extra)
            emails[role.value] = email
        session.commit()
    return emails


def test_a_wrong_password_shows_the_generic_message(page: Any, live_app: LiveApp, people: dict[str, str]) -> None:
    log_in_page(page, live_app, people["admin"], "wrong password here")

    assert page.locator("[role=alert]").count() == 1
    assert "/login" in page.url


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_logs_in_on_a_phone_and_sees_its_navigation(page: Any, live_app: LiveApp,
                                                               people: dict[str, str], role: str) -> None:
    log_in_page(page, live_app, people[role], PASSWORD)

    assert "/login" not in page.url
    assert page.locator("form[action$='/logout']").count() == 1
    no_horizontal_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll
