"""Lighthouse (mobile, simulated slow 4G and a 4× slower CPU) on the shopper's form page (`make bench`
or `python bench/run.py lighthouse`).

Serves the app as bench/page_weight.py does (fresh SQLite database, the bundled checklists, one
shopper's audit), logs in, and runs the npm `lighthouse` 12.x with Debian's Chromium (CHROME_PATH,
default /usr/bin/chromium) on the first touchpoint screen, sending the session cookie. Lighthouse is
installed at run time with `npm install --prefix` into LIGHTHOUSE_DIR (default: a folder under the
system's temporary directory, kept between runs), never into the repository.

Prints performance, CLS, TBT, LCP, accessibility and best practices against the goals, and the
failing audits of each category. Exit status 1 when a goal is missed or Lighthouse could not run.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VERSION = "12"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
INSTALL_DIR = Path(os.environ.get("LIGHTHOUSE_DIR", Path(tempfile.gettempdir()) / "mp-bench-lighthouse"))
# (label, how to read it from the report, goal, True when higher is better)
GOALS: list[tuple[str, str, float, bool]] = [
    ("performance", "categories.performance.score", 0.98, True),
    ("CLS", "audits.cumulative-layout-shift.numericValue", 0.02, False),
    ("TBT ms", "audits.total-blocking-time.numericValue", 50, False),
    ("accessibility", "categories.accessibility.score", 1.0, True),
    ("best practices", "categories.best-practices.score", 1.0, True),
]
SHOWN = [("LCP ms", "audits.largest-contentful-paint.numericValue"),
         ("FCP ms", "audits.first-contentful-paint.numericValue")]


def lighthouse_bin() -> Path:
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is not installed: Lighthouse cannot be installed")
        INSTALL_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(INSTALL_DIR), "--no-audit", "--no-fund",
                        f"lighthouse@{VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return binary


def value(report: dict[str, Any], path: str) -> float:
    found: Any = report
    for part in path.split("."):
        found = found[part]
    return float(found or 0)


def run_lighthouse(url: str, cookie: str, out: Path) -> dict[str, Any]:
    command = [str(lighthouse_bin()), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=performance,accessibility,best-practices",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
               f"--extra-headers={json.dumps({'Cookie': cookie})}"]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text())
    shutil.copy(out, INSTALL_DIR / "form-page-report.json")  # the whole report, for a closer look
    return report


def failing(report: dict[str, Any]) -> list[str]:
    """The audits of our categories that did not pass, with their category."""
    lines = []
    for key, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                shown = audit.get("displayValue", "")
                lines.append(f"  {key}: {ref['id']} (score {audit['score']:.2f}) {shown}")
    return lines


def main(argv: list[str]) -> int:
    from bench.page_weight import BROWSER_HEADERS, first_screen_path, log_in, seed
    from tests.database import fresh_database, migrate
    from tests.live_server import free_port, wait_until_up

    if not Path(CHROME).exists():
        print(f"  Chromium not found at {CHROME} (CHROME_PATH): Lighthouse not run")
        return 1
    with tempfile.TemporaryDirectory(prefix="mp-lighthouse-") as folder:
        workdir = Path(folder)
        with fresh_database(None, workdir) as database_url:
            migrate(database_url)
            audit_id = seed(database_url)
            port = free_port()
            env = {**os.environ, "MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
                   "MP_VAR_DIR": str(workdir / "var"), "MP_SECRET_KEY": "lighthouse-bench-secret-0123456789abcdef"}
            log_path = workdir / "server.log"
            with log_path.open("w") as log:
                server = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                     "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                base = f"http://127.0.0.1:{port}"
                try:
                    wait_until_up(base, server, log_path)
                    with httpx.Client(headers=BROWSER_HEADERS, timeout=10) as client:
                        log_in(client, base)
                        path = first_screen_path(client, base, audit_id)
                        cookie = "; ".join(f"{name}={v}" for name, v in client.cookies.items())
                    report = run_lighthouse(base + path, cookie, workdir / "report.json")
                finally:
                    server.terminate()
                    try:
                        server.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        server.kill()
    print(f"\n  Lighthouse {report.get('lighthouseVersion')} on {path} (mobile, simulated throttling)")
    missed = 0
    for label, where, goal, higher in GOALS:
        got = value(report, where)
        ok = got >= goal if higher else got <= goal
        missed += not ok
        print(f"  {label:<16} {got:>10.3f}   goal {'≥' if higher else '≤'} {goal:<6} {'met' if ok else 'MISSED'}")
    for label, where in SHOWN:
        print(f"  {label:<16} {value(report, where):>10.0f}")
    print(f"  the whole report: {INSTALL_DIR / 'form-page-report.json'}")
    problems = failing(report)
    if problems:
        print("  audits not passed:")
        print("\n".join(problems))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
