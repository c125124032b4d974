"""Page weight of the shopper's first form screen (`make bench` or `python bench/run.py page_weight`).

Serves the app (uvicorn on a free port, a fresh SQLite database in a temporary folder, the bundled
checklists, one shopper with one assignment), logs in with httpx and fetches the first touchpoint
screen the way a phone's browser does on its first visit (empty cache, `Accept-Encoding: gzip, br`),
then every stylesheet, script and image the page names. Prints each resource's raw size and the bytes
on the wire, the total against the 50 KB budget, and the same measurement of the login page as the
floor of the run. Exit status 0 when the form screen is within budget, 1 otherwise.
"""

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = 50 * 1024  # bytes on the wire, everything the first form screen loads
PASSWORD = "page weight bench password"
SHOPPER = "bench-shopper@example.test"
BROWSER_HEADERS = {"Accept-Encoding": "gzip, br",
                   "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                   "Accept-Language": "ru,en;q=0.8",
                   "User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) page-weight bench"}


@dataclass(frozen=True)
class Resource:
    url: str
    kind: str
    raw: int  # bytes after decoding
    wire: int  # bytes of the body as sent (compressed when the server compressed it)
    encoding: str


class Assets(HTMLParser):
    """Stylesheets, scripts and images a page makes the browser fetch right away."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.found.append(("css", a["href"] or ""))
        elif tag == "script" and a.get("src"):
            self.found.append(("js", a["src"] or ""))
        elif tag == "img" and a.get("src") and a.get("loading") != "lazy":
            self.found.append(("img", a["src"] or ""))
        elif tag == "img" and a.get("src"):
            self.found.append(("img (lazy)", a["src"] or ""))


def seed(database_url: str) -> int:
    """The bundled checklists and scenarios, one clinic, a wave, a shopper with one assignment.
    Returns the audit id."""
    from sqlmodel import Session, select

    from app.accounts import service as accounts
    from app.accounts.models import Role
    from app.checklists.files import import_paths
    from app.clinics.models import Clinic, Region
    from app.db import make_engine
    from app.fieldwork import assignments, waves
    from app.fieldwork.models import Scenario

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            import_paths(session, [ROOT / "checklists"])
            region = Region(name="Bench region")
            session.add(region)
            session.flush()
            clinic = Clinic(name="Клиника «Белая»", region_id=region.id, city="Казань", address="ул. Пушкина, 12")
            session.add(clinic)
            session.flush()
            scenario = session.exec(select(Scenario).where(Scenario.slug == "aesthetic-acne-rosacea")).first()
            wave = waves.create_wave(session, name="Bench wave", starts_on=date(2026, 11, 1),
                                     ends_on=date(2026, 12, 31))
            shopper = accounts.create_user(session, email=SHOPPER, role=Role.shopper, password=PASSWORD)
            assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug="aesthetic-clinic",
                                                  scenario=scenario, shopper=shopper)
            audit_id = assignments.audit_for(session, assignment).id or 0
            session.commit()
            return audit_id
    finally:
        engine.dispose()


def fetch(client: httpx.Client, url: str, kind: str) -> tuple[Resource, str]:
    with client.stream("GET", url) as response:
        response.raise_for_status()
        wire = sum(len(chunk) for chunk in response.iter_raw())
    with client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as plain:
        body = b"".join(plain.iter_raw())
    encoding = response.headers.get("content-encoding", "—")
    return Resource(url, kind, len(body), wire, encoding), body.decode("utf-8", "replace")


def measure(client: httpx.Client, base: str, path: str) -> list[Resource]:
    """The page and everything it loads, each once (a browser with an empty cache)."""
    page, html = fetch(client, base + path, "html")
    parser = Assets()
    parser.feed(html)
    resources = [page]
    seen = {page.url}
    for kind, src in parser.found:
        url = urljoin(base + path, src)
        if url not in seen:
            seen.add(url)
            resources.append(fetch(client, url, kind)[0])
    return resources


def log_in(client: httpx.Client, base: str) -> None:
    from tests.web import csrf_from

    token = csrf_from(client.get(f"{base}/login").text)
    response = client.post(f"{base}/login", data={"email": SHOPPER, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"log-in failed: {response.status_code} {response.text[:300]}")


def first_screen_path(client: httpx.Client, base: str, audit_id: int) -> str:
    """Where the visit page's "fill in the checklist" button leads: the first touchpoint."""
    html = client.get(f"{base}/visits/{audit_id}").text
    found = re.search(rf'href="(?:{re.escape(base)})?(/visits/{audit_id}/t/[^"]+)"', html)
    if found is None:
        raise RuntimeError("the visit page links to no touchpoint")
    return found.group(1)


def table(title: str, resources: list[Resource]) -> int:
    total = sum(r.wire for r in resources)
    print(f"\n{title}")
    print(f"  {'resource':<52} {'kind':<10} {'raw B':>8} {'wire B':>8}  encoding")
    for r in resources:
        name = r.url.split("://", 1)[-1].split("/", 1)[-1]
        print(f"  /{name[:51]:<51} {r.kind:<10} {r.raw:>8} {r.wire:>8}  {r.encoding}")
    raw = sum(r.raw for r in resources)
    print(f"  {'total':<52} {'':<10} {raw:>8} {total:>8}  = {total / 1024:.1f} KB on the wire")
    return total


def main(argv: list[str]) -> int:
    from tests.database import fresh_database, migrate
    from tests.live_server import free_port, wait_until_up

    with tempfile.TemporaryDirectory(prefix="mp-page-weight-") as folder:
        workdir = Path(folder)
        with fresh_database(None, workdir) as database_url:
            migrate(database_url)
            audit_id = seed(database_url)
            port = free_port()
            env = {**os.environ, "MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
                   "MP_VAR_DIR": str(workdir / "var"),
                   "MP_SECRET_KEY": os.environ.get("MP_SECRET_KEY", "page-weight-bench-secret-0123456789abcdef")}
            log_path = workdir / "server.log"
            with log_path.open("w") as log:
                server = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                     "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                base = f"http://127.0.0.1:{port}"
                try:
                    wait_until_up(base, server, log_path)
                    with httpx.Client(headers=BROWSER_HEADERS, timeout=10) as anonymous:
                        floor = measure(anonymous, base, "/login")
                    with httpx.Client(headers=BROWSER_HEADERS, timeout=10) as client:
                        log_in(client, base)
                        path = first_screen_path(client, base, audit_id)
                        screen = measure(client, base, path)
                finally:
                    server.terminate()
                    try:
                        server.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        server.kill()
    floor_total = table("Floor: the login page (HTML, CSS, JS), same run", floor)
    total = table(f"The first form screen {path}, first visit (empty cache)", screen)
    verdict = "within" if total <= BUDGET else "OVER"
    print(f"\n  first form screen: {total} B = {total / 1024:.1f} KB of {BUDGET // 1024} KB budget "
          f"(ratio {total / BUDGET:.2f}) → {verdict} budget")
    print(f"  return visit: {screen[0].wire} B (the HTML only; fingerprinted files are cached as immutable)")
    print(f"  floor (login page): {floor_total} B = {floor_total / 1024:.1f} KB; "
          f"form screen / floor = {total / floor_total:.2f}")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
