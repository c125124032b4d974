"""Report benchmark (`make bench` or `python bench/run.py reports`).

Builds a synthetic network in a fresh database (SQLite file; PostgreSQL too when BENCH_PG_URL or
TEST_DATABASE_URL names a server), first SMALL then LARGE, and times in the same run:

- the clinic gap report and the network comparison, as the app computes them;
- their raw-SQL floor: the smallest hand-written SQL returning the same numbers, same driver;
- the naive path: load the ORM objects (answers, items, options) and score in Python;
- the streamed exports of the whole network's latest wave: CSV and XLSX, time and size;
- the key drivers (app/reports/drivers.py) of the whole network across every wave, one GROUP BY.

Reports read the stored scores of approved audits (app/reports/score_store.py); the first report
after new approvals also stores theirs, timed separately as "first reports". The floors compute
everything from the answers.

Phase 1 has 20 clinics with 100 approved audits each (≈100 000 answers); phase 2 grows the network
to 200 clinics (≈1 000 000 answers) while the measured clinic keeps its 100 audits, so the
clinic report's growth shows whether the indexes do their job. Prints ratios; asserts nothing.

Options: --clinics-small N --clinics-large N --audits-per-clinic N --sqlite-only
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MP_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

from sqlalchemy import func, insert, text  # noqa: E402
from sqlalchemy import select as sa_select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.accounts.models import Role, User  # noqa: E402
from app.checklists.models import Item, ItemOption, Touchpoint  # noqa: E402
from app.checklists.schema import ChecklistDoc  # noqa: E402
from app.checklists.versions import items_of, save_version  # noqa: E402
from app.clinics.models import Clinic, Region  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.db_types import utcnow  # noqa: E402
from app.fieldwork.models import Answer, Assignment, Audit, Wave  # noqa: E402
from app.reports import exports, queries  # noqa: E402
from app.reports.clinic_report import build_clinic_report  # noqa: E402
from app.reports.drivers import key_drivers  # noqa: E402
from app.reports.network_report import build_network_report  # noqa: E402
from tests.database import fresh_database, migrate  # noqa: E402

WAVES = 4
TOUCHPOINTS = ["online", "call", "reception", "diagnostics", "treatment", "follow_up"]


def bench_checklist() -> dict[str, Any]:
    """Six touchpoints × nine items (yes/no, scale, number, choice, emotion, text): 54 items."""
    tps = []
    for n, key in enumerate(TOUCHPOINTS):
        items: list[dict[str, Any]] = [
            {"key": f"{key}.yn{i}", "text": f"Yes/no {i}", "type": "yes_no", "critical": key == "call" and i == 0,
             "allow_na": i == 3} for i in range(4)]
        items += [{"key": f"{key}.scale", "text": "Scale", "type": "scale", "min": 1, "max": 5},
                  {"key": f"{key}.seconds", "text": "Seconds", "type": "number", "pass_if": {"max": 30}, "weight": 2},
                  {"key": f"{key}.choice", "text": "Choice", "type": "choice", "options": [
                      {"key": "good", "text": "Good", "score": 1}, {"key": "fair", "text": "Fair", "score": 0.5},
                      {"key": "poor", "text": "Poor", "score": 0}]},
                  {"key": f"{key}.mood", "text": "Mood", "type": "emotion"},
                  {"key": f"{key}.notes", "text": "Notes", "type": "text", "required": False}]
        tps.append({"key": key, "title": key, "weight": 1 + n % 3, "items": items})
    return {"slug": "bench", "title": "Bench", "language": "en", "target": 85, "touchpoints": tps}


def answer_value(item: Item, rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.03:
        return None  # left unanswered
    if item.allow_na and rng.random() < 0.2:
        return {"na": True, "value_num": None, "value_text": None}
    value: dict[str, Any] = {"na": False, "value_num": None, "value_text": None}
    if item.type == "yes_no":
        value["value_num"] = 1.0 if rng.random() < 0.8 else 0.0
    elif item.type == "scale":
        value["value_num"] = float(rng.randint(1, 5))
    elif item.type == "number":
        value["value_num"] = float(rng.randint(3, 60))
    elif item.type == "choice":
        value["value_text"] = rng.choice(["good", "good", "fair", "poor"])
    elif item.type == "emotion":
        value["value_num"] = float(rng.randint(-2, 2))
    else:
        value["value_text"] = "ok"
    return value


class Generator:
    """Writes the network with bulk INSERTs of the model tables (explicit ids, no ORM overhead)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rng = random.Random(42)
        with Session(engine, expire_on_commit=False) as session:
            self.version = save_version(session, ChecklistDoc.model_validate(bench_checklist())).version
            self.items = items_of(session, self.version.id or 0)
            region = Region(name="Bench region")
            shopper = User(email="bench@example.test", role=Role.shopper, password_hash="x")
            session.add_all([region, shopper])
            session.flush()
            self.waves = [Wave(name=f"Bench wave {n + 1}", starts_on=date(2026, 1, 1) + timedelta(days=90 * n),
                               ends_on=date(2026, 3, 1) + timedelta(days=90 * n)) for n in range(WAVES)]
            session.add_all(self.waves)
            session.commit()
            self.region_id, self.shopper_id, self.version_id = region.id, shopper.id, self.version.id
            self.wave_ids = [w.id for w in self.waves]
        self.clinics = 0
        self.next_audit = 1
        self.next_answer = 1

    def add_clinics(self, count: int, audits_per_clinic: int) -> None:
        now = utcnow()
        with self.engine.begin() as connection:
            clinic_rows = [{"id": self.clinics + n + 1, "name": f"Clinic {self.clinics + n + 1}",
                            "region_id": self.region_id, "city": "", "address": "",
                            "is_competitor": (self.clinics + n) % 10 == 9, "active": True, "created_at": now}
                           for n in range(count)]
            connection.execute(insert(Clinic), clinic_rows)
            answers: list[dict[str, Any]] = []
            for clinic in clinic_rows:
                assignments, audits = [], []
                for k in range(audits_per_clinic):
                    audit_id = self.next_audit
                    self.next_audit += 1
                    wave_id = self.wave_ids[k % WAVES]
                    status = "approved" if k % 20 else "rejected"
                    assignments.append({"id": audit_id, "wave_id": wave_id, "clinic_id": clinic["id"],
                                        "checklist_version_id": self.version_id, "shopper_id": self.shopper_id,
                                        "created_at": now})
                    audits.append({"id": audit_id, "assignment_id": audit_id, "wave_id": wave_id,
                                   "clinic_id": clinic["id"], "checklist_version_id": self.version_id,
                                   "shopper_id": self.shopper_id, "status": status, "submission_count": 1,
                                   "submitted_at": now, "created_at": now, "updated_at": now})
                    for item in self.items:
                        value = answer_value(item, self.rng)
                        if value is not None:
                            answers.append({"id": self.next_answer, "audit_id": audit_id, "item_id": item.id,
                                            "created_at": now, "updated_at": now, **value})
                            self.next_answer += 1
                connection.execute(insert(Assignment), assignments)
                connection.execute(insert(Audit), audits)
                if len(answers) >= 50_000:
                    connection.execute(insert(Answer), answers)
                    answers = []
            if answers:
                connection.execute(insert(Answer), answers)
        self.clinics += count
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as connection:
                connection.execute(text("ANALYZE"))


# --- the raw-SQL floor: the same numbers from hand-written SQL ---------------------------------

ANSWER_SCORES = """
SELECT au.id AS audit_id, au.clinic_id, au.wave_id, tp.key AS tp, tp.weight AS tw, it.key AS item, it.weight AS w,
       it.critical, cv.critical_policy AS policy,
       CAST(CASE it.type WHEN 'yes_no' THEN an.value_num
            WHEN 'scale' THEN (an.value_num - it.scale_min) * 1.0 / (it.scale_max - it.scale_min)
            WHEN 'number' THEN CASE WHEN an.value_num IS NULL THEN NULL
                 WHEN (it.pass_min IS NULL OR an.value_num >= it.pass_min)
                  AND (it.pass_max IS NULL OR an.value_num <= it.pass_max) THEN 1.0 ELSE 0.0 END
            WHEN 'choice' THEN op.score END AS FLOAT) AS s
FROM audits au
JOIN checklist_versions cv ON cv.id = au.checklist_version_id
JOIN answers an ON an.audit_id = au.id
JOIN items it ON it.id = an.item_id
JOIN touchpoints tp ON tp.id = it.touchpoint_id
LEFT JOIN item_options op ON op.item_id = it.id AND op.key = an.value_text
WHERE au.status = 'approved' AND cv.checklist_id = :checklist AND au.wave_id = :wave {clinic}
  AND an.na = :false AND it.type IN ('yes_no', 'scale', 'number', 'choice')
"""
TP_SCORES = """
SELECT audit_id, clinic_id, wave_id, tp, MAX(tw) AS tw,
       CASE WHEN MAX(policy) = 'zero_touchpoint' AND MAX(CASE WHEN critical = :true AND s < 1 THEN 1 ELSE 0 END) = 1
            THEN 0.0 ELSE 100.0 * SUM(w * s) / SUM(w) END AS score,
       MAX(CASE WHEN critical = :true AND s < 1 THEN 1 ELSE 0 END) AS flagged
FROM scored WHERE s IS NOT NULL GROUP BY audit_id, clinic_id, wave_id, tp
"""
CLINIC = "AND au.clinic_id = :clinic"
AUDIT_SCORES = ("audit AS (SELECT audit_id, clinic_id, SUM(tw * score) / SUM(tw) AS score, MAX(flagged) AS flagged "
                "FROM tps GROUP BY audit_id, clinic_id)")
EMOTIONS = """
SELECT tp.key, AVG(an.value_num) FROM audits au
JOIN checklist_versions cv ON cv.id = au.checklist_version_id
JOIN answers an ON an.audit_id = au.id JOIN items it ON it.id = an.item_id
JOIN touchpoints tp ON tp.id = it.touchpoint_id
WHERE au.status = 'approved' AND cv.checklist_id = :checklist AND au.wave_id = :wave AND au.clinic_id = :clinic
  AND it.type = 'emotion' AND an.na = :false AND an.value_num IS NOT NULL GROUP BY tp.key
"""


def clinic_statements(wave: str) -> list[str]:
    """The clinic's touchpoints, audit-level totals, item pass rates and emotions for one wave."""
    scored = ANSWER_SCORES.format(clinic=CLINIC).replace(":wave", wave)
    return [
        f"WITH scored AS ({scored}), tps AS ({TP_SCORES}) SELECT tp, AVG(score), COUNT(*), SUM(flagged) "
        "FROM tps GROUP BY tp",
        f"WITH scored AS ({scored}), tps AS ({TP_SCORES}), {AUDIT_SCORES} "
        "SELECT AVG(score), COUNT(*), SUM(flagged) FROM audit",
        f"WITH scored AS ({scored}) SELECT item, AVG(s), COUNT(s), SUM(s) FROM scored WHERE s IS NOT NULL "
        "GROUP BY item",
        EMOTIONS.replace(":wave", wave),
    ]


# Same numbers as the clinic report: this wave and the previous one, and the network mean.
CLINIC_FLOOR = [*clinic_statements(":wave"), *clinic_statements(":previous"),
                f"WITH scored AS ({ANSWER_SCORES.format(clinic='')}), tps AS ({TP_SCORES}), {AUDIT_SCORES}, "
                "clinic AS (SELECT clinic_id, AVG(score) AS score FROM audit GROUP BY clinic_id) "
                "SELECT AVG(clinic.score) FROM clinic JOIN clinics c ON c.id = clinic.clinic_id "
                "WHERE c.is_competitor = :false"]
# Same numbers as the network comparison: clinic scores, clinic × touchpoint, the trend over waves.
NETWORK_FLOOR = [
    f"WITH scored AS ({ANSWER_SCORES.format(clinic='')}), tps AS ({TP_SCORES}), {AUDIT_SCORES} "
    "SELECT clinic_id, AVG(score), COUNT(*), SUM(flagged) FROM audit GROUP BY clinic_id",
    f"WITH scored AS ({ANSWER_SCORES.format(clinic='')}), tps AS ({TP_SCORES}) "
    "SELECT clinic_id, tp, AVG(score), COUNT(*) FROM tps GROUP BY clinic_id, tp",
    f"WITH scored AS ({ANSWER_SCORES.format(clinic='').replace('AND au.wave_id = :wave', '')}), "
    f"tps AS ({TP_SCORES}), "
    "audit AS (SELECT audit_id, clinic_id, wave_id, SUM(tw * score) / SUM(tw) AS score FROM tps "
    "GROUP BY audit_id, clinic_id, wave_id) "
    "SELECT wave_id, clinic_id, AVG(score) FROM audit GROUP BY wave_id, clinic_id",
]


def run_floor(session: Session, statements: list[str], params: dict[str, Any]) -> None:
    """On the session's own connection: on SQLite a second connection would wait for its lock."""
    for statement in statements:
        session.execute(text(statement), params).all()


# --- the naive path: ORM objects, scored in Python ---------------------------------------------

def naive_scores(session: Session, *, wave_id: int, clinic_id: int | None) -> dict[int, float]:
    """Clinic scores the way an ORM-first implementation would compute them."""
    query = select(Audit).where(Audit.status == "approved", Audit.wave_id == wave_id)
    if clinic_id is not None:
        query = query.where(Audit.clinic_id == clinic_id)
    audits = session.exec(query).all()
    items = {i.id: i for i in session.exec(select(Item)).all()}
    tps = {t.id: t for t in session.exec(select(Touchpoint)).all()}
    options = {(o.item_id, o.key): o.score for o in session.exec(select(ItemOption)).all()}
    audit_ids = [a.id for a in audits]
    answers: dict[int, list[Answer]] = defaultdict(list)
    for start in range(0, len(audit_ids), 500):
        chunk = audit_ids[start:start + 500]
        for answer in session.exec(select(Answer).where(col(Answer.audit_id).in_(chunk))).all():
            answers[answer.audit_id].append(answer)
    by_clinic: dict[int, list[float]] = defaultdict(list)
    for audit in audits:
        sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for answer in answers[audit.id or 0]:
            item = items[answer.item_id]
            if answer.na or answer.value_num is None and answer.value_text is None:
                continue
            s: float | None = None
            if item.type == "yes_no":
                s = answer.value_num
            elif item.type == "scale" and answer.value_num is not None:
                s = (answer.value_num - (item.scale_min or 1)) / ((item.scale_max or 5) - (item.scale_min or 1))
            elif item.type == "number" and answer.value_num is not None:
                s = float((item.pass_min is None or answer.value_num >= item.pass_min)
                          and (item.pass_max is None or answer.value_num <= item.pass_max))
            elif item.type == "choice":
                s = options.get((item.id or 0, answer.value_text or ""))
            if s is None:
                continue
            sums[item.touchpoint_id][0] += item.weight * s
            sums[item.touchpoint_id][1] += item.weight
        weighted = [(tps[t].weight, 100 * a / b) for t, (a, b) in sums.items() if b]
        if weighted:
            by_clinic[audit.clinic_id].append(sum(w * t for w, t in weighted) / sum(w for w, _ in weighted))
    return {clinic: fmean(scores) for clinic, scores in by_clinic.items()}


def naive_clinic(session: Session, generator: Generator) -> None:
    """The clinic's scores this wave and the previous one, and the network mean (whole wave)."""
    naive_scores(session, wave_id=generator.wave_ids[-1], clinic_id=1)
    naive_scores(session, wave_id=generator.wave_ids[-2], clinic_id=1)
    naive_scores(session, wave_id=generator.wave_ids[-1], clinic_id=None)


def naive_network(session: Session, generator: Generator) -> None:
    """Every clinic's scores in every wave (the comparison and its trend)."""
    for wave_id in generator.wave_ids:
        naive_scores(session, wave_id=wave_id, clinic_id=None)


# --- timing --------------------------------------------------------------------------------------

def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    fn()  # warm-up: caches, query plans
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(engine: Engine, generator: Generator) -> dict[str, float]:
    admin = User(id=0, email="admin@bench", role=Role.admin, password_hash="x")
    wave_id = generator.wave_ids[-1]
    params = {"checklist": generator.version.checklist_id, "wave": wave_id, "previous": generator.wave_ids[-2],
              "clinic": 1, "false": False, "true": True}
    results: dict[str, float] = {}
    with Session(engine) as session:
        # Cold: the first report after the audits were approved also stores their scores.
        start = time.perf_counter()
        build_clinic_report(session, user=admin, clinic_id=1)
        results["clinic_cold"] = time.perf_counter() - start
        start = time.perf_counter()
        build_network_report(session, user=admin)
        results["network_cold"] = time.perf_counter() - start
        results["clinic"] = best_of(lambda: build_clinic_report(session, user=admin, clinic_id=1))
        results["clinic_floor"] = best_of(lambda: run_floor(session, CLINIC_FLOOR, params))
        results["clinic_naive"] = best_of(lambda: naive_clinic(session, generator), repeat=1)
        results["network"] = best_of(lambda: build_network_report(session, user=admin))
        results["network_floor"] = best_of(lambda: run_floor(session, NETWORK_FLOOR, params))
        results["network_naive"] = best_of(lambda: naive_network(session, generator), repeat=1)
        checklist_id = generator.version.checklist_id
        results["drivers"] = best_of(lambda: key_drivers(session, checklist_id=checklist_id, wave_ids=None,
                                                         clinic_ids=None, target=85.0), repeat=2)
        session.commit()  # keep the stored scores, as the approvals would have
    return results


def time_export(engine: Engine, produce: Callable[[Session, exports.Selection], Any]) -> dict[str, float]:
    """One whole-network export (every clinic, the latest wave) as the route streams it: seconds to
    the first chunk, seconds in all, bytes, and the answers exported."""
    admin = User(id=0, email="admin@bench", role=Role.admin, password_hash="x")
    with Session(engine) as session:
        start = time.perf_counter()
        selection = exports.select_export(session, user=admin, wave=None, checklist=None, region=None)
        first, size = None, 0
        for chunk in produce(session, selection):
            first = first if first is not None else time.perf_counter() - start
            size += len(chunk)
        total = time.perf_counter() - start
        where = selection.where
        answers = 0
        if where is not None:
            audit = sa_select(func.count()).select_from(queries.raw_answers(where).subquery())
            answers = int(session.execute(audit).scalar_one())
    return {"first": first or total, "total": total, "bytes": size, "answers": answers}


def export_line(dialect: str, answers: int, csv_: dict[str, float], xlsx: dict[str, float]) -> str:
    return (f"| {dialect} | {answers:>9,} | export of the latest wave, every clinic ({int(csv_['answers']):,} "
            f"answers): CSV {csv_['total']:.1f} s, {csv_['bytes'] / 1e6:.1f} MB, first bytes after "
            f"{csv_['first'] * 1000:.0f} ms; XLSX {xlsx['total']:.1f} s, {xlsx['bytes'] / 1e6:.1f} MB |")


def count_answers(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM answers")).scalar_one())


def bench_database(url: str, args: argparse.Namespace) -> list[str]:
    migrate(url)
    engine = make_engine(url)
    generator = Generator(engine)
    lines = []
    phases = [args.clinics_small, args.clinics_large]
    small: dict[str, float] = {}
    for phase, clinics in enumerate(phases):
        start = time.perf_counter()
        generator.add_clinics(clinics - generator.clinics, args.audits_per_clinic)
        answers = count_answers(engine)
        print(f"  {engine.dialect.name}: {generator.clinics} clinics, {answers:,} answers "
              f"(generated in {time.perf_counter() - start:.0f} s)", flush=True)
        r = measure(engine, generator)
        if phase == 0:
            small = r
        lines.append(
            f"| {engine.dialect.name} | {answers:>9,} | clinic {r['clinic'] * 1000:7.1f} ms "
            f"| ×{r['clinic'] / r['clinic_floor']:.2f} floor | naive ×{r['clinic_naive'] / r['clinic']:.1f} slower "
            f"| network {r['network'] * 1000:7.1f} ms | ×{r['network'] / r['network_floor']:.2f} floor "
            f"| naive ×{r['network_naive'] / r['network']:.1f} slower |")
        lines.append(f"| {engine.dialect.name} | {answers:>9,} | first reports after approval (storing the "
                     f"audit scores): clinic {r['clinic_cold'] * 1000:.0f} ms, "
                     f"network {r['network_cold'] * 1000:.0f} ms |")
        lines.append(f"| {engine.dialect.name} | {answers:>9,} | key drivers, whole network, every wave: "
                     f"{r['drivers'] * 1000:.0f} ms |")
        csv_export, xlsx_export = time_export(engine, exports.answers_csv), time_export(engine, exports.workbook_chunks)
        lines.append(export_line(engine.dialect.name, answers, csv_export, xlsx_export))
        if phase == 1:
            lines.append(f"| {engine.dialect.name} | clinic report at {answers:,} answers = "
                         f"×{r['clinic'] / small['clinic']:.2f} its time at the small network (target ≤ 1.5) |")
    engine.dispose()
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench reports")
    parser.add_argument("--clinics-small", type=int, default=20)
    parser.add_argument("--clinics-large", type=int, default=200)
    parser.add_argument("--audits-per-clinic", type=int, default=100)
    parser.add_argument("--sqlite-only", action="store_true")
    args, _ = parser.parse_known_args(argv)  # other words name the benchmarks to run
    servers = [] if args.sqlite_only else [u for u in (os.environ.get("BENCH_PG_URL") or
                                                       os.environ.get("TEST_DATABASE_URL"),) if u]
    lines = ["| db | answers | clinic report | vs raw SQL (≤ 2) | naive path (≥ 5) | network report "
             "| vs raw SQL (≤ 2) | naive path (≥ 5) |"]
    with tempfile.TemporaryDirectory(prefix="mp-bench-") as workdir:
        for base in [None, *servers]:
            with fresh_database(base, Path(workdir)) as url:
                lines += bench_database(url, args)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
