"""Background-work benchmark (`make bench-jobs`, or `python bench/run.py jobs`; docs/jobs.md).

Builds the report benchmark's network (bench/reports.py: 200 clinics × 100 audits ≈ 1 000 000
answers; `--clinics 20` for a quick run), serves it with uvicorn (one process, as `make run`)
and a `mystery-patient worker` (4 threads), then measures, on SQLite and on PostgreSQL when
BENCH_PG_URL or TEST_DATABASE_URL names a server:

- a shopper's autosave (PUT /api/v1/audits/{id}/answers) p50/p99 and /healthz p99 while nothing
  runs in the background, and while three gap-report PDFs and a whole-wave XLSX export are being
  made (goal: autosave p99 under load ≤ 2 × idle);
- time from "export asked" to "file ready" for the CSV and the XLSX of the latest wave, and how
  long the ask (202) and the status page take to answer.

Prints ratios; asserts nothing.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MP_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

from bench.reports import Generator  # noqa: E402
from tests.database import fresh_database, migrate  # noqa: E402
from tests.live_server import free_port, wait_until_up  # noqa: E402

PASSWORD = "bench-password-123456"


@dataclass
class World:
    shopper_token: str
    admin_token: str
    audit_id: int
    item: str
    clinic_ids: list[int]
    wave_id: int


def arrange(url: str, clinics: int) -> World:
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.accounts.tokens import create_token
    from app.checklists import versions
    from app.clinics.models import Clinic
    from app.db import make_engine
    from app.fieldwork import assignments, waves

    engine = make_engine(url)
    generator = Generator(engine)
    start = time.perf_counter()
    generator.add_clinics(clinics, 100)
    print(f"  {engine.dialect.name}: {clinics} clinics, ≈{clinics * 100 * 50:,} answers "
          f"(generated in {time.perf_counter() - start:.0f} s)", flush=True)
    if engine.dialect.name == "postgresql":  # the generator wrote explicit ids: move the sequences past them
        with engine.begin() as connection:
            for table in ("clinics", "assignments", "audits", "answers"):
                connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                           f"(SELECT MAX(id) FROM {table}))")
    with Session(engine, expire_on_commit=False) as session:
        clinic = Clinic(name="Autosave clinic", region_id=generator.region_id, city="")
        session.add(clinic)
        wave = waves.create_wave(session, name="Autosave wave", starts_on=date.today() - timedelta(days=1),
                                 ends_on=date.today() + timedelta(days=30))
        shopper = accounts.create_user(session, email="autosave@bench.test", role="shopper", password=PASSWORD)
        admin = accounts.create_user(session, email="admin@bench.test", role="admin", password=PASSWORD)
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug="bench",
                                              scenario=None, shopper=shopper)
        audit = assignments.audit_for(session, assignment)
        version = versions.latest_version(session, "bench")
        item = next(i.key for i in versions.items_of(session, version.id or 0) if i.type == "yes_no")
        _, shopper_token = create_token(session, user=shopper, name="bench")
        _, admin_token = create_token(session, user=admin, name="bench")
        session.commit()
        world = World(shopper_token, admin_token, audit.id or 0, item, [1, 2, 3], generator.wave_ids[-1])
    engine.dispose()
    return world


class Served:
    """uvicorn and a job worker on the database, stopped on exit."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.env = {**os.environ, "MP_DATABASE_URL": url, "MP_VAR_DIR": str(workdir / "var"),
                    "MP_MEDIA_DIR": str(workdir / "media")}
        self.env.pop("MP_QUEUE_URL", None)
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = workdir / "server.log"
        handle = self.log.open("w")
        self.processes = [
            subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                              str(port), "--log-level", "warning"], env=self.env, stdout=handle,
                             stderr=subprocess.STDOUT, cwd=ROOT),
            subprocess.Popen([sys.executable, "-m", "app.cli.main", "worker", "--threads", "4", "--no-scheduler"],
                             env=self.env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)]
        wait_until_up(self.base, self.processes[0], self.log, seconds=120)

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def traffic(base: str, world: World, stop: threading.Event, saves: list[float], health: list[float]) -> None:
    """One shopper saving an answer after another, and a monitor reading /healthz, until stopped."""

    def save_loop() -> None:
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {world.shopper_token}"}) as client:
            k = 0
            while not stop.is_set():
                k += 1
                started = time.perf_counter()
                response = client.put(f"/api/v1/audits/{world.audit_id}/answers",
                                      json={"answers": [{"item": world.item, "value": k % 2 == 0,
                                                         "client_change_id": f"bench-{time.time_ns()}"}]})
                saves.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                time.sleep(0.05)  # a thumb, not a loop

    def health_loop() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                started = time.perf_counter()
                client.get("/healthz").raise_for_status()
                health.append(time.perf_counter() - started)
                time.sleep(0.05)

    threads = [threading.Thread(target=save_loop), threading.Thread(target=health_loop)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ask(client: httpx.Client, kind: str, params: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.post("/api/v1/downloads", json={"kind": kind, "params": params})
    took = time.perf_counter() - started
    assert response.status_code == 202, response.text
    return int(response.json()["id"]), took


def wait_done(client: httpx.Client, job_ids: list[int], seconds: float = 1800) -> dict[int, float]:
    """When each job was seen done (perf_counter); raises on a failed one."""
    done: dict[int, float] = {}
    deadline = time.perf_counter() + seconds
    while len(done) < len(job_ids) and time.perf_counter() < deadline:
        for job_id in job_ids:
            if job_id in done:
                continue
            state = client.get(f"/api/v1/downloads/{job_id}").json()
            if state["status"] == "failed":
                raise RuntimeError(f"job {job_id} failed: {state['error']}")
            if state["status"] == "done":
                done[job_id] = time.perf_counter()
        time.sleep(0.1)
    return done


def bench_database(url: str, args: argparse.Namespace, workdir: Path) -> list[str]:
    migrate(url)
    world = arrange(url, args.clinics)
    served = Served(url, workdir)
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    try:
        with httpx.Client(base_url=served.base, timeout=120,
                          headers={"Authorization": f"Bearer {world.admin_token}"}) as admin:
            # Warm-up: one PDF (Chromium's first start) and the lazily stored scores of the wave.
            warm, _ = ask(admin, "clinic_pdf", {"clinic_id": str(world.clinic_ids[0])})
            wait_done(admin, [warm])

            idle_saves: list[float] = []
            idle_health: list[float] = []
            stop = threading.Event()
            timer = threading.Timer(args.idle_seconds, stop.set)
            timer.start()
            traffic(served.base, world, stop, idle_saves, idle_health)

            load_saves: list[float] = []
            load_health: list[float] = []
            stop = threading.Event()
            runner = threading.Thread(target=traffic, args=(served.base, world, stop, load_saves, load_health))
            runner.start()
            started = time.perf_counter()
            jobs = [ask(admin, "clinic_pdf", {"clinic_id": str(c), "wave": str(world.wave_id)})[0]
                    for c in world.clinic_ids]
            jobs.append(ask(admin, "xlsx", {"wave": str(world.wave_id), "checklist": "bench"})[0])
            done = wait_done(admin, jobs)
            load_took = time.perf_counter() - started
            stop.set()
            runner.join()

            ready = {}
            first_byte = {}
            status_page = []
            for kind in ("csv", "xlsx"):
                job_id, took = ask(admin, kind, {"wave": str(world.wave_id), "checklist": "bench", "region": ""})
                first_byte[kind] = took
                asked = time.perf_counter() - took
                t0 = time.perf_counter()
                admin.get(f"/api/v1/downloads/{job_id}").raise_for_status()
                status_page.append(time.perf_counter() - t0)
                ready[kind] = wait_done(admin, [job_id])[job_id] - asked
    finally:
        served.close()
    waits = [float(line.split("waited ")[1].split(" s")[0]) for line in served.log.read_text().splitlines()
             if "for the write turn" in line]

    idle50, idle99 = percentile(idle_saves, 50), percentile(idle_saves, 99)
    load50, load99 = percentile(load_saves, 50), percentile(load_saves, 99)
    ms = 1000
    return [
        f"| {dialect} | autosave idle | p50 {idle50 * ms:.1f} ms | p99 {idle99 * ms:.1f} ms | n={len(idle_saves)} |",
        f"| {dialect} | autosave while 3 PDFs + whole-wave XLSX run ({load_took:.0f} s) | p50 {load50 * ms:.1f} ms "
        f"| p99 {load99 * ms:.1f} ms | n={len(load_saves)} | p99 ×{load99 / idle99:.2f} idle (goal ≤ 2) |",
        f"| {dialect} | /healthz | idle p99 {percentile(idle_health, 99) * ms:.1f} ms | under load p99 "
        f"{percentile(load_health, 99) * ms:.1f} ms (goal ≤ 50 ms) | max {max(load_health) * ms:.1f} ms |",
        f"| {dialect} | export asked → file ready | CSV {ready['csv']:.1f} s | XLSX {ready['xlsx']:.1f} s "
        f"| ask answered (202) in {first_byte['csv'] * ms:.0f} / {first_byte['xlsx'] * ms:.0f} ms "
        f"| status page {statistics.mean(status_page) * ms:.0f} ms |",
        f"| {dialect} | the four jobs under load finished after | "
        + " / ".join(f"{done[j] - started:.1f} s" for j in jobs) + " |",
        f"| {dialect} | requests that waited > 0.5 s for the write turn | {len(waits)} "
        f"| longest {max(waits, default=0):.2f} s | load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs |",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench jobs")
    parser.add_argument("--clinics", type=int, default=200, help="clinics of 100 audits (200 ≈ 1 M answers)")
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--sqlite-only", action="store_true")
    args, _ = parser.parse_known_args(argv)
    servers = [] if args.sqlite_only else [u for u in (os.environ.get("BENCH_PG_URL") or
                                                       os.environ.get("TEST_DATABASE_URL"),) if u]
    lines = ["| db | measured | | | | |"]
    for base in [None, *servers]:
        with tempfile.TemporaryDirectory(prefix="mp-bench-jobs-") as workdir, \
                fresh_database(base, Path(workdir)) as url:
            lines += bench_database(url, args, Path(workdir))
            print("\n".join(lines), flush=True)  # each database's table as soon as it is measured
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
