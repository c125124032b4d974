"""Speed of the shopper's form (`make bench` or `python bench/run.py form_speed`).

For SQLite and for PostgreSQL (skipped when MP_BENCH_POSTGRES is "" or the server does not answer):
a fresh migrated database with the bundled checklists and one shopper's audit, the real app served
by uvicorn with 2 workers, and `wrk` bounded in time against

- the first touchpoint form page (GET, logged in by session cookie, as a phone), and
- the autosave `PUT /api/v1/audits/{id}/answers` with one answer (Bearer token; bench/wrk/put_answer.lua
  goes round the shopper's 32 audits, as phones each save their own, and alternates yes and no so
  every save changes the row),

each beside its floor measured in the same run by the same uvicorn with the same workers
(bench/floors.py): a raw ASGI app returning the same page bytes, and one doing the same single-row
upsert through the same driver. Prints requests/s, p50/p99 latency and app/floor ratios, and beside
them the figures recorded before the speed work (bench/form_speed_before.json). The server logs are
searched for "database is locked". Nothing is asserted: the exit status is 1 only when a run failed.

Options: --seconds N (per measurement, default 10), --connections N (default 8), --record FILE
(write this run's figures as JSON), --tree DIR (serve the app from another checkout, e.g. the
commit before the speed work unpacked with `git archive`, to record its figures), --before-tree DIR
(measure that older checkout too, on the same data and in the same run, shown as "before"). The
machine is shared: compare ratios, not absolute figures.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BEFORE = ROOT / "bench" / "form_speed_before.json"
PUT_SCRIPT = ROOT / "bench" / "wrk" / "put_answer.lua"
WORKERS = 2
POSTGRES = os.environ.get("MP_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "form-speed-bench-secret-0123456789abcdef"


@dataclass(frozen=True)
class Load:
    """One wrk run: what was answered, how fast."""

    requests: int
    failed: int  # non-2xx/3xx answers and socket errors
    seconds: float
    rps: float  # answered well per second
    p50_ms: float
    p99_ms: float


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> Load:
    """Figures from wrk's report (run with --latency)."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if total is None:
        raise RuntimeError(f"wrk printed no totals:\n{output}")
    requests, seconds = int(total.group(1)), _milliseconds(total.group(2) + total.group(3)) / 1000
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(bad.group(1)) if bad else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"wrk printed no latency distribution:\n{output}")
    return Load(requests, failed, seconds, max(requests - failed, 0) / seconds,
                _milliseconds(percentiles["50"]), _milliseconds(percentiles["99"]))


def run_wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None,
            script: Path | None = None, env: dict[str, str] | None = None) -> Load:
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, env={**os.environ, **(env or {})},
                            timeout=seconds + 60, check=True)
    return parse_wrk(result.stdout)


@contextmanager
def serve(target: str, env: dict[str, str], log: Path, tree: Path = ROOT) -> Iterator[str]:
    """uvicorn with WORKERS workers serving `target` (imported from `tree`) on a free port; yields its
    base URL."""
    from tests.live_server import free_port, wait_until_up

    port = free_port()
    with log.open("a") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
            cwd=tree, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log, seconds=180)  # a loaded shared box can take a minute
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@dataclass(frozen=True)
class World:
    audit_id: int  # the one whose form page is fetched
    audit_ids: tuple[int, ...]  # the shopper's audits the autosaves go round (phones save their own)
    item_key: str
    item_id: int
    token: str


AUDITS = 32


def seed_world(database_url: str) -> World:
    """page_weight's shopper and audit, AUDITS - 1 more audits of the shopper at other clinics, an API
    token, the first yes/no item of the checklist."""
    from sqlmodel import Session, select

    from app.accounts import tokens
    from app.accounts.models import User
    from app.checklists import versions
    from app.clinics.models import Clinic
    from app.db import make_engine
    from app.fieldwork import assignments
    from app.fieldwork.models import Audit, Wave
    from bench.page_weight import SHOPPER, seed

    audit_id = seed(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            audit = session.get(Audit, audit_id)
            shopper = session.exec(select(User).where(User.email == SHOPPER)).one()
            wave = session.exec(select(Wave)).one()
            assert audit is not None
            first = session.get(Clinic, audit.clinic_id)
            assert first is not None
            ids = [audit_id]
            for n in range(1, AUDITS):
                clinic = Clinic(name=f"Clinic {n}", region_id=first.region_id, city="Казань", address=f"ул. {n}")
                session.add(clinic)
                session.flush()
                assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, shopper=shopper,
                                                      checklist_slug="aesthetic-clinic", scenario=None)
                ids.append(assignments.audit_for(session, assignment).id or 0)
            item = next(i for i in versions.items_of(session, audit.checklist_version_id) if i.type == "yes_no")
            _, plain = tokens.create_token(session, user=shopper, name="bench")
            session.commit()
            return World(audit_id, tuple(ids), item.key, item.id or 0, plain)
    finally:
        engine.dispose()


def _load_app(base: str, world: World, put_env: dict[str, str], *, seconds: int,
              connections: int) -> tuple[httpx.Response, dict[str, Load | str]]:
    """The form page (fetched once, then under wrk with the session cookie) and the autosave."""
    from bench.page_weight import BROWSER_HEADERS, first_screen_path, log_in

    with httpx.Client(headers={k: v for k, v in BROWSER_HEADERS.items() if k != "Accept-Encoding"},
                      timeout=10) as client:
        log_in(client, base)
        path = first_screen_path(client, base, world.audit_id)
        page = client.get(base + path)
        page.raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return page, {
        "page_path": path, "page_bytes": str(len(page.content)),
        "page": run_wrk(base + path, seconds=seconds, connections=connections,
                        headers={"Cookie": cookie, "Accept-Language": "ru"}),
        "autosave": run_wrk(f"{base}/api/v1/audits/{world.audit_id}/answers", seconds=seconds,
                            connections=connections, script=PUT_SCRIPT, env=put_env)}


def measure(database_url: str, workdir: Path, *, seconds: int, connections: int, tree: Path = ROOT,
            before_tree: Path | None = None) -> dict[str, Load | str]:
    from tests.database import migrate

    migrate(database_url)
    world = seed_world(database_url)
    app_env = {"MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
               "MP_VAR_DIR": str(workdir / "var"), "MP_SECRET_KEY": SECRET}
    log = workdir / "app.log"
    put_env = {"MP_ITEM": world.item_key, "MP_TOKEN": world.token, "MP_AUDITS": ",".join(map(str, world.audit_ids))}
    with serve("app.main:app", app_env, log, tree) as base:
        page, results = _load_app(base, world, put_env, seconds=seconds, connections=connections)
    if before_tree is not None:  # the older code on the same data, in the same run
        with serve("app.main:app", app_env, log, before_tree) as base:
            _page, before = _load_app(base, world, put_env, seconds=seconds, connections=connections)
        results["before_page"], results["before_autosave"] = before["page"], before["autosave"]
    path = str(results["page_path"])
    (workdir / "page.html").write_bytes(page.content)
    floor_env = {"MP_FLOOR_PAGE": str(workdir / "page.html"), "MP_FLOOR_DATABASE": database_url,
                 "MP_FLOOR_ITEM": str(world.item_id)}
    with serve("bench.floors:page", floor_env, log) as base:
        results["page_floor"] = run_wrk(base + path, seconds=seconds, connections=connections)
    with serve("bench.floors:upsert", floor_env, log) as base:
        results["autosave_floor"] = run_wrk(f"{base}/api/v1/audits/{world.audit_id}/answers", seconds=seconds,
                                            connections=connections, script=PUT_SCRIPT, env=put_env)
    text = log.read_text()
    results["locked"] = str(text.count("database is locked"))
    results["server_errors"] = str(text.count("Traceback"))
    return results


def postgres_available() -> bool:
    if not POSTGRES:
        return False
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _row(label: str, app: Load, floor: Load, before: dict[str, float] | None) -> str:
    ratio = app.rps / floor.rps if floor.rps else 0.0
    then = (f"{before['rps']:>8.1f} {before['p50_ms']:>7.1f} {before['p99_ms']:>7.1f} {before['ratio']:>7.3f}×"
            if before else f"{'—':>8} {'—':>7} {'—':>7} {'—':>8}")
    return (f"  {label:<30} {then} │ {app.rps:>8.1f} {app.p50_ms:>7.1f} {app.p99_ms:>7.1f} │ "
            f"{floor.rps:>8.1f} {floor.p50_ms:>7.1f} {floor.p99_ms:>7.1f} │ {ratio:>7.3f}×  "
            f"{app.failed}/{floor.failed}")


def report(figures: dict[str, dict[str, Load | str]], before: dict[str, dict[str, dict[str, float]]]) -> None:
    print(f"\n  {WORKERS} uvicorn workers each; rps = answered with 2xx/3xx per second; ms = latency p50/p99;"
          " ratio = app / floor in the same run")
    heading = "before (same run)" if any("before_page" in r for r in figures.values()) else "before (recorded)"
    print(f"  {'':<30} {heading:^33} │ {'app now':^24} │ {'floor, same run':^24} │"
          f" {'ratio':>8}  failed app/floor")
    print(f"  {'':<30} {'rps':>8} {'p50':>7} {'p99':>7} {'ratio':>8} │ {'rps':>8} {'p50':>7} {'p99':>7} │"
          f" {'rps':>8} {'p50':>7} {'p99':>7} │")
    for database, result in figures.items():
        for kind, floor_kind, label in (("page", "page_floor", "form page"),
                                        ("autosave", "autosave_floor", "autosave (1 answer)")):
            app, floor = result[kind], result[floor_kind]
            assert isinstance(app, Load) and isinstance(floor, Load)
            then = result.get(f"before_{kind}")
            same_run = ({**asdict(then), "ratio": then.rps / floor.rps if floor.rps else 0.0}
                        if isinstance(then, Load) else None)
            print(_row(f"{database}: {label}", app, floor, same_run or before.get(database, {}).get(kind)))
        print(f"  {database}: page {result['page_bytes']} B at {result['page_path']}; "
              f"'database is locked' in the logs: {result['locked']}; tracebacks: {result['server_errors']}")


def as_record(figures: dict[str, dict[str, Load | str]]) -> dict[str, dict[str, dict[str, float]]]:
    record: dict[str, dict[str, dict[str, float]]] = {}
    for database, result in figures.items():
        record[database] = {}
        for kind, floor_kind in (("page", "page_floor"), ("autosave", "autosave_floor")):
            app, floor = result[kind], result[floor_kind]
            assert isinstance(app, Load) and isinstance(floor, Load)
            record[database][kind] = {**asdict(app), "ratio": app.rps / floor.rps if floor.rps else 0.0,
                                      "floor_rps": floor.rps}
    return record


def main(argv: list[str]) -> int:
    from tests.database import fresh_database

    parser = argparse.ArgumentParser(prog="form_speed")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--record", type=Path)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--before-tree", type=Path,
                        help="also serve the app from this older checkout on the same data, in the same run")
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="serve the app from this source tree (e.g. `git archive` of an older commit)")
    options, _ = parser.parse_known_args([a for a in argv if a != "form_speed"])
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if postgres_available():
        databases.append(("postgresql", POSTGRES))
    else:
        print("  PostgreSQL: not reachable (MP_BENCH_POSTGRES), measured on SQLite only")
    figures: dict[str, dict[str, Load | str]] = {}
    for name, base_url in databases:
        if options.only and name != options.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"mp-form-speed-{name}-") as folder:
            workdir = Path(folder)
            with fresh_database(base_url, workdir) as database_url:
                figures[name] = measure(database_url, workdir, seconds=options.seconds,
                                        connections=options.connections, tree=options.tree,
                                        before_tree=options.before_tree)
    before = json.loads(BEFORE.read_text())["figures"] if BEFORE.exists() else {}
    report(figures, before)
    if options.record:
        options.record.write_text(json.dumps({"figures": as_record(figures)}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
