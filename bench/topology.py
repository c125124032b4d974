"""`make topology`: the soak (bench/soak.py) on the scale-out topology, on this machine.

    nginx (Debian's, deploy/nginx/mystery-patient.conf with its ports and paths replaced)
      -> two app processes (`mystery-patient serve --no-migrate`, each with its own var folder)
      -> PostgreSQL (a fresh database next to --database), SeaweedFS's S3 API (evidence) and the
         job queue on Redis (--queue, db 6 of the local server by default) with one worker

Every process listens on 127.0.0.1 only, on free ports, in a temporary folder. N shoppers save
answers and upload photos through nginx while one app process is killed with SIGKILL every few
seconds and started again (the other keeps serving); about a fifth of the attempts are cut by the
client. nginx answers 502 for a request whose app process died under it: that is the phone's cut
connection, and it is sent again with the same client id; so is a 503 (the app process left was
too busy, with Retry-After). Both are counted and printed, never acknowledged. Finally, from the database: every
acknowledged answer is there with its last acknowledged value, no answer or photo twice, every audit
submitted once (bench/soak.py's checks), and every photo and thumbnail is read through EACH app
process directly, its bytes matching the SHA-256 recorded at upload.

Exit 1 when anything was lost, duplicated or unreadable, a client saw a 5xx other than 502/503
(or an unexpected 4xx), or the run did not complete before --seconds.

    python bench/topology.py                           # 50 shoppers, the full run (make topology)
    python bench/topology.py --shoppers 20 --answers 100 --seconds 420 --kill-every 8   # CI's bounded run
"""

import argparse
import contextlib
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import soak  # noqa: E402
from tests.live_server import free_port  # noqa: E402
from tests.seaweedfs import SeaweedFS  # noqa: E402

SITE = ROOT / "deploy" / "nginx" / "mystery-patient.conf"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
METRICS_TOKEN = "topology-metrics-token-0123456789"


class AppProcess:
    """One `mystery-patient serve` in its own process group, so SIGKILL takes all of it down."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name, self.port = name, free_port()
        self.env = dict(env, MP_VAR_DIR=str(workdir / f"var-{name}"))  # nothing shared on disk
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills, self.restarts = 0, []  # seconds from start to /healthz

    def start(self) -> None:
        began = time.monotonic()
        command = [str(Path(sys.executable).with_name("mystery-patient")), "serve", "--no-migrate", "--host",
                   "127.0.0.1", "--port", str(self.port), "--forwarded-allow-ips", "127.0.0.1"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    self.restarts.append(time.monotonic() - began)
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not come up; see {self.log}")

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def site_config(port: int, upstreams: list[int], static: Path, workdir: Path) -> str:
    """The shipped site file for a local run: plain HTTP on one local port, our upstream ports."""
    site = SITE.read_text()
    site = re.sub(r"server \{\n    listen 80;.*?\n\}\n\n", "", site, count=1, flags=re.S)  # the https redirect
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams)
    site = re.sub(r"^ +server 127\.0\.0\.1:\d+ .*;\n", "", site, flags=re.M)
    site = site.replace("    keepalive 32;\n", servers + "    keepalive 32;\n", 1)
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"\n\s*(listen \[::\]:443 ssl;|http2 on;|ssl_certificate\S* .*;)", "", site)
    site = site.replace("/var/log/nginx/mystery-patient.access.log", str(workdir / "nginx-access.log"))
    site = site.replace("/opt/mystery-patient/static/", f"{static}/")
    assert f"127.0.0.1:{port}" in site and str(static) in site and "ssl_certificate" not in site
    return site


def start_nginx(workdir: Path, port: int, upstreams: list[int]) -> subprocess.Popen[bytes]:
    folder = workdir / "nginx"
    for sub in ("", "temp/body", "temp/proxy", "temp/fastcgi", "temp/uwsgi", "temp/scgi"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / sub).chmod(0o777)  # nginx's workers drop root (CI runs as root)
    (folder / "site.conf").write_text(site_config(port, upstreams, ROOT / "app" / "static", workdir))
    temp = folder / "temp"
    (folder / "nginx.conf").write_text(f"""daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
""")
    nginx = "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                            str(workdir / "nginx-error.log")], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}")
    process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                                str(workdir / "nginx-error.log")], start_new_session=True)
    for _ in range(100):
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        time.sleep(0.1)
    raise RuntimeError("nginx did not come up")


def proxy_checks(base: str, people: list[soak.Shopper]) -> dict[str, bool]:
    """What the site file promises: static files from disk with a long cache, the request id passed
    on, absolute URLs with the host the reader asked for."""
    from app.web.static_files import url as static_url

    static = httpx.get(f"{base}{static_url('app.css')}", timeout=10)
    alive = httpx.get(f"{base}/healthz", timeout=10)
    audit = httpx.get(f"{base}/api/v1/audits/{people[0].audit_id}", timeout=10,
                      headers={"Authorization": f"Bearer {people[0].token}"}).json()
    urls = [e.get("url", "") for e in audit.get("evidence", [])]
    return {
        "static file served by nginx with a one-year immutable cache":
            static.status_code == 200 and "immutable" in static.headers.get("cache-control", "")
            and "x-request-id" not in static.headers,  # the app never saw it
        "nginx's request id reaches the app and comes back":
            re.fullmatch(r"[0-9a-f]{32}", alive.headers.get("x-request-id", "")) is not None,
        "absolute evidence URLs name the proxy's host":
            bool(urls) and all(u.startswith(f"{base}/media/") for u in urls),
    }


def keep_killing(app: AppProcess, every: float, stop: threading.Event) -> None:
    while not stop.wait(random.uniform(every * 2 / 3, every * 4 / 3)):
        app.kill()
        app.start()


def photos_through_each(url: str, people: list[soak.Shopper], apps: list[AppProcess]) -> dict[str, int]:
    """Every photo and thumbnail of every shopper, read through each app process directly."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.fieldwork.models import Evidence

    engine = make_engine(url)
    with Session(engine) as session:
        rows = {p.audit_id: session.exec(select(Evidence).where(Evidence.audit_id == p.audit_id)).all() for p in people}
    engine.dispose()
    counts = {"photos read through each app process": 0, "photos unreadable or altered": 0}
    for app in apps:
        with httpx.Client(base_url=f"http://127.0.0.1:{app.port}", timeout=30) as client:
            for shopper in people:
                headers = {"Authorization": f"Bearer {shopper.token}"}
                for row in rows[shopper.audit_id]:
                    whole = client.get(f"/media/{row.id}", headers=headers)
                    thumb = client.get(f"/media/{row.id}/thumb", headers=headers)
                    if (whole.status_code == 200 and hashlib.sha256(whole.content).hexdigest() == row.sha256
                            and thumb.status_code == 200 and thumb.content.startswith(b"\xff\xd8\xff")):
                        counts["photos read through each app process"] += 1
                    else:
                        counts["photos unreadable or altered"] += 1
    counts["photos read through each app process"] //= len(apps)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=LOCAL_POSTGRES, help="PostgreSQL to create the fresh database next to")
    parser.add_argument("--queue", default="redis://127.0.0.1:6379/6", help="MP_QUEUE_URL of the run")
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--answers", type=int, default=60,
                        help="saves per shopper (at least the 50 answerable items, or the submits are refused)")
    parser.add_argument("--seconds", type=float, default=900, help="deadline for the saves and photos")
    parser.add_argument("--kill-every", type=float, default=20, help="mean seconds between SIGKILLs of app 1")
    parser.add_argument("--cut", type=float, default=0.2, help="share of attempts cut mid-request")
    parser.add_argument("--tries", type=int, default=300)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="mp-topology-"))
    workdir.chmod(0o755)
    env = dict(os.environ, MP_SECRET_KEY="topology-secret-key-0123456789-0123456789", MP_LOG_FORMAT="json",
               MP_METRICS_TOKEN=METRICS_TOKEN, MP_MEDIA_DIR=str(workdir / "no-local-media"),
               MP_QUEUE_URL=args.queue, MP_QUEUE_NAME=f"mp-topology-{os.getpid()}")
    env.pop("MP_DATABASE_URL", None)
    os.environ.update(MP_VAR_DIR=str(workdir / "var-bench"), MP_SECRET_KEY=env["MP_SECRET_KEY"])
    from tests.database import fresh_database, migrate

    apps: list[AppProcess] = []
    nginx: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    with SeaweedFS(workdir / "seaweedfs") as s3, fresh_database(args.database, workdir) as url:
        env.update(s3.settings(prefix="evidence"), MP_DATABASE_URL=url)
        os.environ["MP_DATABASE_URL"] = url
        migrate(url)
        people, shape = soak.prepare(url, args.shoppers)
        try:
            apps = [AppProcess("app1", env, workdir), AppProcess("app2", env, workdir)]
            for app in apps:
                app.start()
            worker = subprocess.Popen([str(Path(sys.executable).with_name("mystery-patient")), "worker"], cwd=ROOT,
                                      env=dict(env, MP_VAR_DIR=str(workdir / "var-worker")),
                                      stdout=(workdir / "worker.log").open("ab"), stderr=subprocess.STDOUT,
                                      start_new_session=True)
            port = free_port()
            nginx = start_nginx(workdir, port, [app.port for app in apps])
            base = f"http://127.0.0.1:{port}"
            ready = httpx.get(f"{base}/readyz", timeout=10).json()
            print(f"topology: nginx :{port} -> app1 :{apps[0].port}, app2 :{apps[1].port}; PostgreSQL "
                  f"{url.rsplit('/', 1)[-1]}; SeaweedFS S3 :{s3.ports['s3']}; queue {args.queue} + 1 worker; "
                  f"/readyz {ready['checks']}", flush=True)
            if ready["status"] != "ready":
                raise RuntimeError(f"the topology is not ready: {ready}")
            print(f"soak: {args.shoppers} shoppers x {args.answers} saves with photos through nginx, app1 SIGKILLed "
                  f"every {args.kill_every * 2 / 3:.0f}-{args.kill_every * 4 / 3:.0f}s, {args.cut:.0%} of attempts "
                  "cut", flush=True)
            tally = soak.Tally(resend_statuses=frozenset({502, 503}))
            started = time.monotonic()
            deadline = started + args.seconds
            stop = threading.Event()
            killer = threading.Thread(target=keep_killing, args=(apps[0], args.kill_every, stop), daemon=True)
            killer.start()
            threading.Thread(target=soak.report_progress, daemon=True,
                             args=(tally, apps[0], args.shoppers * args.answers, started, stop)).start()
            try:
                with ThreadPoolExecutor(max_workers=args.shoppers) as pool:
                    list(pool.map(lambda s: soak.run_shopper(base, s, shape, args.answers, tally, deadline,
                                                             args.cut, args.tries), people))
                saved_at = time.monotonic()
                with ThreadPoolExecutor(max_workers=args.shoppers) as pool:
                    list(pool.map(lambda s: soak.submit_thrice(base, s, tally, saved_at + 120, args.cut, args.tries),
                                  people))
            finally:
                stop.set()
                killer.join()
            if apps[0].process is None or apps[0].process.poll() is not None:
                apps[0].start()
            elapsed = time.monotonic() - started
            counts = soak.verify(url, people)
            counts.update(photos_through_each(url, people, apps))
            checks = proxy_checks(base, people)
            metrics = httpx.get(f"http://127.0.0.1:{apps[1].port}/metrics", timeout=10,
                                headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
        finally:
            if nginx is not None:
                nginx.send_signal(signal.SIGQUIT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    nginx.wait(timeout=10)
                if nginx.poll() is None:
                    nginx.kill()
            for app in apps:
                app.stop()
            if worker is not None:
                worker.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(timeout=15)
                if worker.poll() is None:
                    worker.kill()
    counts["duplicated"] = counts.get("duplicated answers", 0) + counts.get("duplicated evidence", 0)
    logs = "".join((workdir / f"{app.name}.log").read_text(errors="replace") for app in apps)
    restarts = sorted(apps[0].restarts[1:]) or [0.0]
    print(f"\ntraffic: {elapsed:.0f}s (saves {saved_at - started:.0f}s), {tally.attempts} attempts, {tally.cut} cut "
          f"on purpose, {tally.resent[502]} answered 502 by nginx (app died with the request) and "
          f"{tally.resent[503]} 503 busy, all sent again, {tally.refused} refused, "
          f"app1 SIGKILLed {apps[0].kills} times (restart to healthy: median {restarts[len(restarts) // 2]:.1f}s), "
          f"{tally.gave_up} requests given up")
    print(f"responses: {dict(sorted(tally.statuses.items()))}")
    for name, value in counts.items():
        print(f"  {name:52} {value}")
    print(f"  {'app log tracebacks':52} {logs.count('Traceback')}")
    print(f"  {'5xx other than 502/503 / unexpected 4xx':52} {len(tally.server_errors)} / {len(tally.unexpected)}")
    counted = sum(float(v) for v in re.findall(r"^mp_http_requests_total\{.*\} (\S+)$", metrics, re.M))
    print(f"  {'metrics: requests counted by app2 (/metrics)':52} {counted:.0f}")
    for name, ok in checks.items():
        print(f"  {name:70} {'yes' if ok else 'NO'}")
    for line in (tally.server_errors + tally.unexpected)[:10]:
        print(f"  client saw: {line}")
    complete = (counts["acknowledged"] == counts["saves sent"] and not counts.get("audits not submitted")
                and counts["photos acknowledged"] == sum(len(p.photos) for p in people) and not tally.gave_up
                and apps[0].kills > 0)
    failed = bool(counts["lost"] or counts["duplicated"] or counts.get("audits submitted more than once", 0)
                  or counts["photos unreadable or altered"] or tally.server_errors or tally.unexpected
                  or not all(checks.values()))
    if failed:
        print("\nFAILED: something was lost, duplicated or unreadable, or a client saw a 5xx or an unexpected 4xx")
    elif not complete:
        print("\nINCOMPLETE: not everything was acknowledged before the deadline, or no SIGKILL happened")
    else:
        print("\nOK: nothing lost, nothing duplicated, every photo readable through both app processes")
    print(f"(work folder, with the app and nginx logs: {workdir})")
    return 0 if complete and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
