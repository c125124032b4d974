"""`make soak`: no answer lost, none duplicated, under cut connections and a server killed with SIGKILL.

Starts the real app (uvicorn, several workers) on 127.0.0.1 against a fresh, migrated database,
gives N shoppers one assignment each on the bundled aesthetic-clinic checklist, then all shoppers at
once save answers one by one (PUT /api/v1/audits/{id}/answers, each with a client_change_id and
client_changed_at) and upload a few photos (with a client_upload_id). The checklist has fewer items
than saves, so later saves overwrite earlier ones with new values. About a fifth of the attempts are
cut mid-request by a tiny client timeout and retried at once; a refused connection (server down) is
retried after 20-200 ms, a 503 after its Retry-After. Every 5-10 s the whole server (every worker) is
killed with SIGKILL and started again at once: a launcher that imported the app once forks a fresh
server, so a restart costs a fork rather than a cold start of every worker (--cold-restart for plain
uvicorn). A save counts as acknowledged when a 200 came back. Then every shopper submits from three
connections at once, while the kills go on. Finally the database is read directly:

  every acknowledged save is there with its LAST acknowledged value per item (the comment carries the
  save number), no answer or evidence exists twice, every audit was submitted exactly once.

Exit status 1 when anything was lost or duplicated, an audit was submitted twice, a client saw a 5xx
(a 503 "busy" included: SQLite requests queue for their turn, so none is expected) or an unexpected
4xx, or when the run did not complete (a save, photo or submit not acknowledged before --seconds).
Traffic goes only to 127.0.0.1; counts and time are bounded (--shoppers, --answers, --seconds).

    python bench/soak.py                                    # SQLite file, 2 workers
    python bench/soak.py --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres   # 4 workers
"""

import argparse
import contextlib
import io
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHECKLIST = "aesthetic-clinic"
PASSWORD = "soak-password-0123456789"


@dataclass
class Save:
    item: str
    value: Any
    comment: str
    acknowledged: bool = False


@dataclass
class Shopper:
    number: int
    token: str
    audit_id: int
    saves: list[Save] = field(default_factory=list)
    photos: dict[str, bool] = field(default_factory=dict)  # client_upload_id -> acknowledged
    submitted: int = 0  # acknowledged submit responses


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0
    cut: int = 0
    refused: int = 0  # connection refused / reset: the server was down
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # 4xx where a 200 was due
    gave_up: int = 0
    acknowledged: int = 0
    submit_refused: int = 0
    # Behind a proxy (bench/topology.py): 502 = the app process died with the request, 503 = the one
    # left was busy; not acknowledged, so sent again (after Retry-After), counted apart.
    resend_statuses: frozenset[int] = frozenset()
    resent: Counter = field(default_factory=Counter)

    def note(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


# ---------------------------------------------------------------- the server and its killer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The launcher imports the app once and forks a fresh server (a process group: a leader that binds
# the port, and N uvicorn workers) on every start. SIGKILL takes the whole group down: every process
# that served requests dies mid-request, its sessions and connections with it. Only the ~1 s import
# per process is saved, so a restart costs a fork instead of N cold starts (--cold-restart: plain uvicorn).
LAUNCHER = r"""
import os, signal, socket, sys, time
import uvicorn
from app.main import app  # noqa: F401 - imported once, before any fork

port, workers, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for _command in iter(sys.stdin.readline, ""):
    while True:  # reap the groups killed before
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break
    leader = os.fork()
    if leader == 0:
        os.setsid()
        out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.dup2(out, 1)
        os.dup2(out, 2)
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _try in range(100):
            try:
                listener.bind(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.02)
        listener.listen(2048)
        for _ in range(workers):
            if os.fork() == 0:
                uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])
                os._exit(0)
        while True:
            signal.pause()
    print(leader, flush=True)
"""


class Server:
    """The app on 127.0.0.1 with N workers in one process group, so SIGKILL takes every process down."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path, cold: bool = False) -> None:
        self.env, self.port, self.workers, self.log, self.cold = env, port, workers, log, cold
        self.group: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.launcher: subprocess.Popen[str] | None = None
        self.kills = 0
        self.restarts: list[float] = []  # seconds from start to a healthy /healthz

    def start(self) -> None:
        began = time.monotonic()
        if self.cold:
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                     str(self.port), "--workers", str(self.workers), "--log-level", "warning"],
                    cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            self.group = self.process.pid
        else:
            if self.launcher is None:
                self.launcher = subprocess.Popen(
                    [sys.executable, "-c", LAUNCHER, str(self.port), str(self.workers), str(self.log)],
                    cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert self.launcher.stdin is not None and self.launcher.stdout is not None
            self.launcher.stdin.write("start\n")
            self.launcher.stdin.flush()
            self.group = int(self.launcher.stdout.readline())
        # Up when a worker answers; a file needs no database turn, so the probe does not queue
        # behind the shoppers' requests (/healthz, which does, is asked once at the very start).
        probe = "/static/soak/app.css" if self.restarts else "/healthz"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}{probe}", timeout=1).status_code == 200:
                    self.restarts.append(time.monotonic() - began)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not come up; see {self.log}")

    def kill(self) -> None:
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signal.SIGKILL)
            if self.process is not None:
                self.process.wait()
            self._gone()
            self.kills += 1

    def _gone(self) -> None:
        """Wait until nothing listens on the port any more (the killed group has closed its socket)."""
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
            except OSError:
                return
            time.sleep(0.01)

    def stop(self) -> None:
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signal.SIGTERM)
            if self.process is not None:
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.group, signal.SIGKILL)
                    self.process.wait()
            else:
                time.sleep(1)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.group, signal.SIGKILL)
        if self.launcher is not None:
            self.launcher.kill()
            self.launcher.wait()


def keep_killing(server: Server, every: float, stop: threading.Event) -> None:
    """SIGKILL at random moments, between 2/3 and 4/3 of `every` seconds apart; restart at once."""
    while not stop.wait(random.uniform(every * 2 / 3, every * 4 / 3)):
        server.kill()
        server.start()


# ---------------------------------------------------------------- setting up the shoppers


def prepare(url: str, shoppers: int) -> tuple[list[Shopper], dict[str, Any]]:
    """Checklists, one clinic per shopper, a wave, shoppers with an assignment and a token each."""
    from sqlmodel import Session

    from app.accounts import service as accounts
    from app.accounts.tokens import create_token
    from app.checklists import versions
    from app.checklists.files import import_paths
    from app.clinics.models import Clinic, Region
    from app.db import make_engine
    from app.fieldwork import assignments, waves

    engine = make_engine(url)
    people: list[Shopper] = []
    with Session(engine, expire_on_commit=False) as session:
        import_paths(session, [ROOT / "checklists"])
        region = Region(name="Soak")
        session.add(region)
        session.flush()
        wave = waves.create_wave(session, name="Soak wave", starts_on=date.today(),
                                 ends_on=date.today() + timedelta(days=30))
        for n in range(shoppers):
            clinic = Clinic(name=f"Soak clinic {n}", region_id=region.id, city="Soak")
            session.add(clinic)
            user = accounts.create_user(session, email=f"soak{n}@soak.test", role="shopper", password=PASSWORD)
            assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=CHECKLIST,
                                                  scenario=None, shopper=user)
            audit = assignments.audit_for(session, assignment)
            _token, plain = create_token(session, user=user, name="soak")
            people.append(Shopper(n, plain, audit.id or 0))
        version = versions.latest_version(session, CHECKLIST)
        items = versions.items_of(session, version.id or 0)
        options = {item.key: [o.key for o in versions.options_of(session, item.id or 0)] for item in items}
        shape = {"items": [(i.key, i.type, i.scale_min, i.scale_max, i.photo) for i in items], "options": options}
        session.commit()
    engine.dispose()
    return people, shape


def value_for(kind: str, low: int | None, high: int | None, options: list[str], k: int) -> Any:
    """A valid value of the item's type that changes with k."""
    if kind == "yes_no":
        return k % 2 == 0
    if kind == "scale":
        low, high = low or 1, high or 5
        return low + k % (high - low + 1)
    if kind == "emotion":
        return k % 5 - 2
    if kind == "number":
        return k % 30
    if kind == "choice":
        return options[k % len(options)]
    return f"text {k}"


def plan(shopper: Shopper, shape: dict[str, Any], answers: int) -> tuple[list[Save], list[str]]:
    """The saves in order (cycling over the answerable items, so each is saved several times) and
    the items that get a photo (those needing one, whatever the answers)."""
    answerable = [i for i in shape["items"] if i[1] != "evidence"]
    saves = []
    for k in range(answers):
        key, kind, low, high, _photo = answerable[k % len(answerable)]
        saves.append(Save(key, value_for(kind, low, high, shape["options"].get(key, []), k),
                          f"shopper {shopper.number} save {k}"))
    photo_items = [i[0] for i in shape["items"] if i[1] == "evidence" or i[4] in ("required", "required_on_fail")]
    return saves, photo_items


def photo_bytes(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


# ---------------------------------------------------------------- the traffic


class Deadline(Exception):
    pass


def send(client: httpx.Client, tally: Tally, deadline: float, cut_ratio: float, max_tries: int,
         method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    """Send until a 2xx/4xx answer comes back; some attempts are cut short on purpose. A refused
    connection (the server is down) is retried after a short pause, a 503 after its Retry-After."""
    pause = 0.02
    for _attempt in range(max_tries):
        if time.monotonic() > deadline:
            raise Deadline()
        cut = random.random() < cut_ratio
        timeout = random.uniform(0.001, 0.03) if cut else 15.0
        tally.note(attempts=1, cut=int(cut))
        try:
            response = client.request(method, url, timeout=timeout, **kwargs)
        except httpx.TimeoutException:
            continue  # cut mid-request (or a slow server): retried at once, as a phone would
        except httpx.TransportError:
            tally.note(refused=1)  # the server was being killed or restarted
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
            continue
        if response.status_code in tally.resend_statuses:
            with tally.lock:
                tally.resent[response.status_code] += 1
            wait = response.headers.get("Retry-After", "")
            time.sleep(min(float(wait), 2.0) if wait.isdigit() else pause)
            continue
        with tally.lock:
            tally.statuses[response.status_code] += 1
            if response.status_code >= 500:
                tally.server_errors.append(f"{method} {url} -> {response.status_code} {response.text[:200]}")
        if response.status_code < 500:
            return response
        retry_after = response.headers.get("Retry-After", "")
        time.sleep(min(float(retry_after), 2.0) if retry_after.isdigit() else pause)
    tally.note(gave_up=1)
    return None


def run_shopper(base: str, shopper: Shopper, shape: dict[str, Any], answers: int, tally: Tally, deadline: float,
                cut_ratio: float, max_tries: int) -> None:
    saves, photo_items = plan(shopper, shape, answers)
    shopper.saves = saves
    headers = {"Authorization": f"Bearer {shopper.token}"}
    photos_at = {answers * (j + 1) // (len(photo_items) + 1): key for j, key in enumerate(photo_items)}
    with httpx.Client(base_url=base, headers=headers) as client:
        try:
            for k, save in enumerate(saves):
                body = {"answers": [{"item": save.item, "value": save.value, "comment": save.comment,
                                     "client_change_id": f"s{shopper.number}-c{k}",
                                     "client_changed_at": datetime.now(UTC).isoformat()}]}
                response = send(client, tally, deadline, cut_ratio, max_tries, "PUT",
                                f"/api/v1/audits/{shopper.audit_id}/answers", json=body)
                save.acknowledged = response is not None and response.status_code == 200
                tally.note(acknowledged=int(save.acknowledged))
                if response is not None and response.status_code != 200:
                    tally.unexpected.append(f"save -> {response.status_code} {response.text[:200]}")
                if k in photos_at:
                    upload_id = f"s{shopper.number}-p{len(shopper.photos)}"
                    response = send(client, tally, deadline, cut_ratio, max_tries, "POST",
                                    f"/api/v1/audits/{shopper.audit_id}/evidence",
                                    data={"item": photos_at[k], "client_upload_id": upload_id},
                                    files={"file": ("photo.jpg", photo_bytes(k + shopper.number), "image/jpeg")})
                    shopper.photos[upload_id] = response is not None and response.status_code == 201
        except Deadline:
            pass


def submit_thrice(base: str, shopper: Shopper, tally: Tally, deadline: float, cut_ratio: float,
                  max_tries: int) -> None:
    def one() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {shopper.token}"}) as client:
            try:
                response = send(client, tally, deadline, cut_ratio, max_tries, "POST",
                                f"/api/v1/audits/{shopper.audit_id}/submit")
            except Deadline:
                return
            if response is not None and response.status_code == 200:
                with tally.lock:
                    shopper.submitted += 1
            elif response is not None and response.status_code == 422:
                tally.note(submit_refused=1)  # answers or photos missing: the saves did not all get through
            elif response is not None:
                tally.unexpected.append(f"submit -> {response.status_code} {response.text[:300]}")

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# ---------------------------------------------------------------- checking the database


def verify(url: str, people: list[Shopper]) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from app.checklists.models import Item
    from app.db import make_engine
    from app.fieldwork.models import Answer, Audit, Evidence
    from app.trail.models import TrailEvent

    engine = make_engine(url)
    result = Counter()
    with Session(engine) as session:
        for shopper in people:
            stored = {key: comment for key, comment in session.exec(
                select(Item.key, Answer.comment).join(Item, col(Item.id) == Answer.item_id)
                .where(Answer.audit_id == shopper.audit_id)).all()}
            last: dict[str, int] = {}  # item -> index of its last acknowledged save
            later_unacked: set[str] = set()
            for k, save in enumerate(shopper.saves):
                if save.acknowledged:
                    last[save.item] = k
                    later_unacked.discard(save.item)
                else:
                    later_unacked.add(save.item)
            result["saves sent"] += len(shopper.saves)
            result["acknowledged"] += sum(save.acknowledged for save in shopper.saves)
            result["items with an acknowledged save"] += len(last)
            for item, k in last.items():
                if stored.get(item) == shopper.saves[k].comment:
                    result["found (items with their last acknowledged value)"] += 1
                elif item in later_unacked:
                    result["overwritten by a later unacknowledged save"] += 1
                else:
                    result["lost"] += 1
            uploads = dict(session.exec(select(Evidence.client_upload_id, func.count())
                                        .where(Evidence.audit_id == shopper.audit_id)
                                        .group_by(col(Evidence.client_upload_id))).all())
            result["photos acknowledged"] += sum(shopper.photos.values())
            acknowledged = [upload_id for upload_id, ok in shopper.photos.items() if ok]
            result["photos found"] += sum(1 for upload_id in acknowledged if uploads.get(upload_id))
            result["lost"] += sum(1 for upload_id in acknowledged if not uploads.get(upload_id))
            result["duplicated evidence"] += sum(count - 1 for count in uploads.values() if count > 1)
            audit = session.get(Audit, shopper.audit_id)
            submits = session.exec(select(func.count()).select_from(TrailEvent).where(
                TrailEvent.verb == "audit.submit", TrailEvent.entity_id == shopper.audit_id)).one()
            assert audit is not None
            result["submit acknowledgements (3 per shopper)"] += shopper.submitted
            if audit.status == "submitted" and audit.submission_count == 1 and submits == 1:
                result["audits submitted exactly once"] += 1
            elif audit.submission_count > 1 or submits > 1:
                result["audits submitted more than once"] += 1
            else:
                result["audits not submitted"] += 1
        result["duplicated answers"] = sum(1 for _ in session.exec(
            select(Answer.audit_id, Answer.item_id).group_by(col(Answer.audit_id), col(Answer.item_id))
            .having(func.count() > 1)).all())
    engine.dispose()
    result.setdefault("lost", 0)
    result.setdefault("duplicated evidence", 0)
    return dict(result)


# ---------------------------------------------------------------- main


def report_progress(tally: Tally, server: Server, total: int, started: float, stop: threading.Event) -> None:
    while not stop.wait(15):
        print(f"  {time.monotonic() - started:4.0f}s: {tally.acknowledged}/{total} saves acknowledged, "
              f"{tally.attempts} attempts, {server.kills} SIGKILLs", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a PostgreSQL URL to create a fresh database next to "
                                           "(default: a SQLite file in a temporary folder)")
    parser.add_argument("--workers", type=int, help="uvicorn workers (default 2 on SQLite, 4 on PostgreSQL)")
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--answers", type=int, default=200,
                        help="saves per shopper (fewer than the checklist's items: the submits are refused)")
    parser.add_argument("--seconds", type=float, default=600, help="deadline for the saves and photos")
    parser.add_argument("--kill-every", type=float, default=7.5,
                        help="mean seconds between SIGKILLs (each between 2/3 and 4/3 of it)")
    parser.add_argument("--cold-restart", action="store_true",
                        help="start uvicorn from scratch after each kill (default: fork a pre-imported app)")
    parser.add_argument("--cut", type=float, default=0.2, help="share of attempts cut mid-request")
    parser.add_argument("--tries", type=int, default=200, help="attempts per request before giving up")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="mp-soak-"))
    env = dict(os.environ, MP_VAR_DIR=str(workdir / "var"), MP_MEDIA_DIR=str(workdir / "media"),
               MP_SECRET_KEY="soak-secret-key-0123456789-0123456789")
    os.environ.update(env)
    from tests.database import fresh_database, migrate

    with fresh_database(args.database, workdir) as url:
        env["MP_DATABASE_URL"] = os.environ["MP_DATABASE_URL"] = url
        workers = args.workers or (4 if url.startswith("postgresql") else 2)
        migrate(url)
        people, shape = prepare(url, args.shoppers)
        server = Server(env, free_port(), workers, workdir / "server.log", cold=args.cold_restart)
        base = f"http://127.0.0.1:{server.port}"
        print(f"soak: {args.shoppers} shoppers x {args.answers} saves, {workers} workers on "
              f"{url.split('://')[0]}, SIGKILL every {args.kill_every * 2 / 3:.0f}-{args.kill_every * 4 / 3:.0f}s "
              f"({'cold' if args.cold_restart else 'forked'} restarts), {args.cut:.0%} of attempts cut", flush=True)
        tally = Tally()
        server.start()
        started = time.monotonic()
        deadline = started + args.seconds
        stop = threading.Event()
        killer = threading.Thread(target=keep_killing, args=(server, args.kill_every, stop), daemon=True)
        progress = threading.Thread(target=report_progress, daemon=True,
                                    args=(tally, server, args.shoppers * args.answers, started, stop))
        killer.start()
        progress.start()
        try:
            with ThreadPoolExecutor(max_workers=args.shoppers) as pool:
                list(pool.map(lambda s: run_shopper(base, s, shape, args.answers, tally, deadline, args.cut,
                                                    args.tries), people))
            saved_at = time.monotonic()
            with ThreadPoolExecutor(max_workers=args.shoppers) as pool:
                list(pool.map(lambda s: submit_thrice(base, s, tally, saved_at + 60, args.cut, args.tries),
                              people))
        finally:
            stop.set()
            killer.join()
            server.stop()
        elapsed = time.monotonic() - started
        counts = verify(url, people)
    log = (workdir / "server.log").read_text(errors="replace")
    counts["duplicated"] = counts.get("duplicated answers", 0) + counts.get("duplicated evidence", 0)
    restarts = sorted(server.restarts[1:]) or [0.0]
    print(f"\ntraffic: {elapsed:.0f}s (saves {saved_at - started:.0f}s), {tally.attempts} attempts, "
          f"{tally.cut} cut on purpose, {tally.refused} refused while the server was down, "
          f"{server.kills} SIGKILLs (restart to healthy: median {restarts[len(restarts) // 2]:.2f}s, "
          f"max {restarts[-1]:.2f}s), {tally.gave_up} requests given up, "
          f"{counts['acknowledged'] / max(saved_at - started, 1):.0f} saves acknowledged per second")
    print(f"responses: {dict(sorted(tally.statuses.items()))}")
    for name, value in counts.items():
        print(f"  {name:52} {value}")
    print(f"  {'server log: database is locked / tracebacks':52} "
          f"{log.count('database is locked')} / {log.count('Traceback')}")
    print(f"  {'5xx responses (503 busy) / unexpected 4xx':52} {len(tally.server_errors)} "
          f"({tally.statuses.get(503, 0)}) / {len(tally.unexpected)}")
    print(f"  {'submits refused as incomplete (422)':52} {tally.submit_refused}")
    for line in (tally.server_errors + tally.unexpected)[:10]:
        print(f"  client saw: {line}")
    complete = (counts["acknowledged"] == counts["saves sent"] and not counts.get("audits not submitted")
                and counts["photos acknowledged"] == sum(len(p.photos) for p in people) and not tally.gave_up)
    failed = bool(counts["lost"] or counts["duplicated"] or counts.get("audits submitted more than once", 0)
                  or tally.server_errors or tally.unexpected)
    if failed:
        print("\nFAILED: something was lost or duplicated, or a client saw a 5xx or an unexpected 4xx")
    elif not complete:
        print("\nINCOMPLETE: not every save, photo and submit was acknowledged before the deadline "
              "(raise --seconds or lower the load)")
    else:
        print("\nOK: every save acknowledged and found, nothing lost, nothing duplicated, "
              "every audit submitted exactly once, no 5xx")
    print(f"(work folder, with server.log: {workdir})")
    return 0 if complete and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
