"""Accounts by e-mail in a real browser: an admin invites a user, who opens the link from the
e-mail, chooses a password and logs in; another user resets a forgotten password from the login
page. The test plays the worker: it delivers the queued messages to the mail folder and reads them."""

from email import message_from_bytes, policy
from typing import Any

from sqlmodel import col, select

from app.accounts import service as accounts
from app.accounts.models import Role
from app.mail import delivery
from app.mail.models import OutgoingMail
from app.settings import get_settings
from tests.browser.conftest import LiveApp, log_in_page
from tests.factories import PASSWORD


def _link_from_email(live_app: LiveApp, address: str, marker: str) -> str:
    """Deliver what is queued for the address (as a worker would), read the .eml, return the link."""
    with live_app.session() as session:
        mails = session.exec(select(OutgoingMail).where(OutgoingMail.to_address == address)
                             .order_by(col(OutgoingMail.id))).all()
        assert mails, f"no e-mail queued for {address}"
        for mail in mails:
            delivery.deliver(session, mail.id or 0)
        message_id = mails[-1].message_id
    raw = (get_settings().mail_path / f"{message_id.strip('<>')}.eml").read_bytes()
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    url = next(word for word in body.split() if marker in word)
    return live_app.url + "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_invited_user_sets_a_password_from_the_email_and_logs_in(page: Any, live_app: LiveApp) -> None:
    with live_app.session() as session:
        accounts.create_user(session, email="browser-inviter@example.test", role=Role.admin, password=PASSWORD)
        session.commit()
    log_in_page(page, live_app, "browser-inviter@example.test", PASSWORD)
    page.goto(f"{live_app.url}/admin/users/new")
    page.fill("#f-email", "browser-invited@example.test")
    page.fill("#f-name", "Invited Person")
    page.check("input[name=role][value=qa_lead]")
    page.check("input[name=access][value=invite]")
    page.locator("#user-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash").first.is_visible()
    page.context.clear_cookies()

    page.goto(_link_from_email(live_app, "browser-invited@example.test", "/account/invitation/"))
    page.fill("#new_password", "my chosen password 2026")
    page.locator("#set-password button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("#login-notice").is_visible()
    log_in_page(page, live_app, "browser-invited@example.test", "my chosen password 2026")
    assert "/login" not in page.url
    assert page.locator("form[action$='/logout']").count() == 1


def test_a_user_resets_a_forgotten_password_from_the_login_page(page: Any, live_app: LiveApp) -> None:
    with live_app.session() as session:
        accounts.create_user(session, email="browser-forgetful@example.test", role=Role.director, password=PASSWORD)
        session.commit()
    page.goto(f"{live_app.url}/login")
    page.click("#forgot-link")
    page.fill("#email", "browser-forgetful@example.test")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#reset-sent").is_visible()

    page.goto(_link_from_email(live_app, "browser-forgetful@example.test", "/password/reset/"))
    page.fill("#new_password", "remembered at last 2026")
    page.locator("#set-password button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    log_in_page(page, live_app, "browser-forgetful@example.test", "remembered at last 2026")

    assert "/login" not in page.url
    no_horizontal_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_horizontal_scroll
