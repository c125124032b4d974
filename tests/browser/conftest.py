"""Browser tests: Playwright drives Debian's Chromium (headless, phone viewport) against the real app
served by uvicorn in a subprocess, on its own fresh database (pages need real commits)."""

import itertools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from tests.database import fresh_database, migrate
from tests.live_server import free_port, wait_until_up

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The README's pictures are refreshed only on request (UPDATE_SCREENSHOTS=1), so an ordinary test run
# leaves the working tree clean; otherwise screenshots still get taken (they exercise rendering).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS")
               else Path(tempfile.mkdtemp(prefix="mp-screenshots-")))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{CHROMIUM} is missing: CI must install it (apt-get install -y chromium)")
    skip = pytest.mark.skip(reason=f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def phone(playwright: Any) -> dict[str, Any]:
    return dict(playwright.devices["Pixel 7"])


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], phone: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, **phone}  # a phone for every page unless a test asks otherwise


class LiveApp:
    """The app in a uvicorn subprocess, and a way to arrange data in its database."""

    def __init__(self, url: str, database_url: str, engine: Engine, media_dir: Path | None = None) -> None:
        self.url = url
        self.database_url = database_url
        self.engine = engine
        self.media_dir = media_dir

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    workdir = tmp_path_factory.mktemp("live")
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), workdir) as database_url:
        migrate(database_url)
        port = free_port()
        env = {**os.environ, "MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
               "MP_VAR_DIR": str(workdir / "var")}
        log = (workdir / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        engine = make_engine(database_url)
        try:
            wait_until_up(url, server, workdir / "server.log")
            yield LiveApp(url, database_url, engine, workdir / "media")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            engine.dispose()
            log.close()


def log_in_page(page: Any, live_app: LiveApp, email: str, password: str) -> None:
    page.goto(f"{live_app.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@dataclass(frozen=True)
class ShopperVisit:
    email: str
    audit_id: int
    clinic: str


_visits = itertools.count(1)


def arrange_visit(live_app: LiveApp, slug: str = "browser-visit") -> ShopperVisit:
    """A shopper with one draft audit of the small checklist (every item type, two touchpoints), a
    clinic with an address and a scenario brief; committed for real, so the server sees it."""
    from app.accounts import service as accounts
    from app.accounts.models import Role
    from app.checklists.schema import ChecklistDoc
    from app.checklists.versions import save_version
    from app.clinics.models import Clinic, Region
    from app.fieldwork import assignments, waves
    from app.fieldwork.models import Scenario
    from tests.checklist_docs import small_checklist
    from tests.factories import PASSWORD

    n = next(_visits)
    with live_app.session() as session:
        save_version(session, ChecklistDoc.model_validate(small_checklist(slug)))
        region = Region(name=f"Visit region {slug} {n}")
        session.add(region)
        session.flush()
        clinic = Clinic(name=f"Clinic Belaya {n}", region_id=region.id, city="Kazan",
                        address="Pushkina 12", latitude=55.79, longitude=49.12)
        session.add(clinic)
        scenario = Scenario(
            slug=f"{slug}-scenario-{n}", title={"en": "First visit, acne", "ru": "Первый визит, акне"},
            persona={"en": "Anna, 28, office worker, never been to this clinic."},
            story={"en": "Rashes on the cheeks for three months; creams from the pharmacy did not help."},
            ask={"en": "What does a consultation cost? Which treatments and how many sessions?"},
            avoid={"en": "Do not say that you are checking the clinic or that you work in medicine."})
        session.add(scenario)
        session.flush()
        wave = waves.create_wave(session, name=f"Browser wave {slug} {n}", starts_on=date(2026, 11, 1),
                                 ends_on=date(2026, 12, 31))
        email = f"shopper-{slug}-{n}@example.test"
        shopper = accounts.create_user(session, email=email, role=Role.shopper, password=PASSWORD)
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=slug,
                                              scenario=scenario, shopper=shopper,
                                              window_start=date(2026, 11, 20), window_end=date(2026, 11, 30))
        audit_id = assignments.audit_for(session, assignment).id or 0
        session.commit()
        return ShopperVisit(email, audit_id, clinic.name)
