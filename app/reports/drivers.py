"""Key drivers (docs/key-drivers.md): which scored items go with how the patient felt and with the
audit score, across the waves, the region or the one clinic the reader chooses.

For each scored item, its answers in approved audits are split into passed (s = 1) and failed
(s < 1). Its association with emotion is the difference in the mean emotion of its touchpoint (that
audit's emotion answers there, pooled) between the audits that passed it and those that failed it;
with the audit score likewise. Each difference comes with its n on both sides and a 95 % Welch
interval: diff ± t(ν)·√(s₁²/n₁ + s₂²/n₂), ν by Welch–Satterthwaite. An item is a **key driver**
when the interval of its emotion difference lies wholly above 0. Importance is that difference,
performance the pass rate; a key driver whose pass rate is below the checklist's target is one to
fix first.

Everything is summed in one GROUP BY query (per item and passed/failed: counts, Σ and Σ² of the
emotion and of the score); Python only turns the sums into means and intervals.
"""

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, and_, case, cast, false, func, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.checklists.schema import ItemType
from app.clinics.models import Clinic
from app.reports import lookups, queries, score_store
from app.reports.clinic_report import report_clinic
from app.reports.network_report import report_clinic_ids
from app.reports.queries import AuditFilter
from app.wilson import t_quantile_975

MIN_PER_SIDE = 2  # below this on either side there is no spread to measure: no interval


@dataclass(frozen=True)
class Difference:
    """mean(passed) − mean(failed) of an outcome, with the n of each side and the 95 % interval."""

    passed_mean: float | None
    failed_mean: float | None
    n_passed: int
    n_failed: int
    diff: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Driver:
    item_key: str
    touchpoint: str
    n: int  # scored answers
    pass_rate: float
    emotion: Difference
    score: Difference
    key_driver: bool = False
    fix_first: bool = False


@dataclass(frozen=True)
class DriverReport:
    drivers: list[Driver]
    audits: int
    target: float  # the checklist's target, percent: below it a key driver is one to fix first
    waves: list[int] = field(default_factory=list)

    @property
    def key_items(self) -> frozenset[str]:
        return frozenset(d.item_key for d in self.drivers if d.key_driver)


def _f(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(value, Float)


def driver_sums(where: AuditFilter) -> Select:
    """Per item key and side (passed = 1 when s = 1): answers n, and over them Σ, Σ² and count of
    the touchpoint's emotion in that audit and of the audit's score."""
    a = queries.answer_scores(where).alias("scored_answers")
    audit = queries.approved_audits(where)
    ans, its, tps = queries.answers, queries.items, queries.touchpoints
    emotion = (select(ans.c.audit_id, tps.c.key.label("touchpoint_key"),
                      _f(func.avg(_f(ans.c.value_num))).label("emotion"))
               .select_from(ans)
               .join(audit, audit.c.audit_id == ans.c.audit_id)
               .join(its, its.c.id == ans.c.item_id)
               .join(tps, tps.c.id == its.c.touchpoint_id)
               .where(its.c.type == ItemType.emotion, ans.c.value_num.is_not(None),
                      ans.c.na.is_(false()) | ans.c.na.is_(None))
               .group_by(ans.c.audit_id, tps.c.key)).subquery("audit_emotions")
    scores = queries.audit_scores(where)
    passed = case((a.c.s >= 1, 1), else_=0).label("passed")
    e, s = emotion.c.emotion, scores.c.score
    return (select(a.c.item_key, func.max(a.c.touchpoint_key).label("touchpoint_key"), passed,
                   func.count().label("n"), _f(func.sum(a.c.s)).label("s_total"),
                   func.count(e).label("e_n"), _f(func.sum(e)).label("e_total"),
                   _f(func.sum(e * e)).label("e_squares"),
                   func.count(s).label("score_n"), _f(func.sum(s)).label("score_total"),
                   _f(func.sum(s * s)).label("score_squares"))
            .select_from(a)
            .outerjoin(emotion, and_(emotion.c.audit_id == a.c.audit_id,
                                     emotion.c.touchpoint_key == a.c.touchpoint_key))
            .outerjoin(scores, scores.c.audit_id == a.c.audit_id)
            .group_by(a.c.item_key, passed))


def _variance(n: int, total: float, squares: float) -> float:
    return max(0.0, (squares - total * total / n) / (n - 1))


def difference(passed: tuple[int, float, float], failed: tuple[int, float, float]) -> Difference:
    """From (n, Σx, Σx²) of each side: the difference of means and its 95 % Welch interval."""
    (n1, t1, q1), (n2, t2, q2) = passed, failed
    m1 = t1 / n1 if n1 else None
    m2 = t2 / n2 if n2 else None
    diff = m1 - m2 if m1 is not None and m2 is not None else None
    low = high = None
    if diff is not None and n1 >= MIN_PER_SIDE and n2 >= MIN_PER_SIDE:
        a, b = _variance(n1, t1, q1) / n1, _variance(n2, t2, q2) / n2
        se = math.sqrt(a + b)
        if se > 0:
            df = (a + b) ** 2 / ((a * a / (n1 - 1) if a else 0.0) + (b * b / (n2 - 1) if b else 0.0))
            half = t_quantile_975(max(1, math.floor(df + 1e-9))) * se  # ν rounded down: the cautious side
        else:
            half = 0.0  # no spread on either side: the difference is exact
        low, high = diff - half, diff + half
    return Difference(m1, m2, n1, n2, diff, low, high)


def key_drivers(session: Session, *, checklist_id: int, wave_ids: Collection[int] | None,
                clinic_ids: Collection[int] | None, target: float,
                renames: dict[str, str] | None = None, count_audits: bool = True) -> DriverReport:
    """The drivers of the chosen approved audits, most important (largest emotion difference)
    first; items with no difference to measure (every answer passed, or every one failed) last.
    `audits` is counted only when asked (the flags on other pages do not show it)."""
    where = AuditFilter(checklist_id, wave_ids, clinic_ids, renames or {})
    sides: dict[str, dict[int, Any]] = {}
    touchpoint: dict[str, str] = {}
    for row in session.execute(driver_sums(where)).all():
        sides.setdefault(row.item_key, {})[int(row.passed)] = row
        touchpoint[row.item_key] = row.touchpoint_key
    audits = (session.execute(select(func.count()).select_from(queries.approved_audits(where))).scalar_one()
              if count_audits else 0)
    drivers = []
    for key, side in sides.items():
        yes, no = side.get(1), side.get(0)

        def sums(row: Any, prefix: str) -> tuple[int, float, float]:
            if row is None:
                return (0, 0.0, 0.0)
            return (int(getattr(row, f"{prefix}_n")), float(getattr(row, f"{prefix}_total") or 0.0),
                    float(getattr(row, f"{prefix}_squares") or 0.0))

        n = sum(int(r.n) for r in (yes, no) if r is not None)
        s_total = sum(float(r.s_total or 0.0) for r in (yes, no) if r is not None)
        emotion = difference(sums(yes, "e"), sums(no, "e"))
        score = difference(sums(yes, "score"), sums(no, "score"))
        is_key = emotion.ci_low is not None and emotion.ci_low > 0
        pass_rate = s_total / n if n else 0.0
        drivers.append(Driver(key, touchpoint[key], n, pass_rate, emotion, score, is_key,
                              is_key and pass_rate * 100 < target))
    drivers.sort(key=lambda d: (d.emotion.diff is None, -(d.emotion.diff or 0.0), d.item_key))
    return DriverReport(drivers, int(audits), target, list(wave_ids or []))


@dataclass(frozen=True)
class DriverPage:
    """What the key-driver page shows: the choice made and its drivers."""

    checklist: str | None
    checklist_title: dict[str, str] | None
    waves: list[Any]  # the waves chosen (all with approved audits when none was)
    region: Any | None
    clinic: Any | None
    report: DriverReport | None
    item_texts: dict[str, dict[str, str]]
    touchpoint_titles: dict[str, dict[str, str]]


def build_driver_page(session: Session, *, user: User, waves: list[str], checklist: str | None,
                      region: str | None, clinic: int | None) -> DriverPage:
    """Key drivers over the reader's visible branches (competitors left out), narrowed to a region
    or one clinic, across the chosen waves (default: every wave with approved audits). Raises
    WaveNotFound, ChecklistNotFound, RegionNotFound, ClinicNotFound (also outside the scope)."""
    chosen_region = lookups.find_region(session, region) if region else None
    if clinic is not None:
        chosen_clinic = report_clinic(session, user=user, clinic_id=clinic)
        clinic_ids: set[int] | None = {clinic}
    else:
        chosen_clinic = None
        clinic_ids = report_clinic_ids(session, user=user, region_id=chosen_region.id if chosen_region else None)
    chosen_waves = [lookups.find_wave(session, ref) for ref in waves]
    found = (lookups.find_checklist(session, checklist) if checklist else
             lookups.most_used_checklist(session, clinic_ids=clinic_ids, wave_id=None))
    if found is None:
        return DriverPage(None, None, chosen_waves, chosen_region, chosen_clinic, None, {}, {})
    meta = lookups.checklist_meta(session, found)
    if not chosen_waves:
        chosen_waves = lookups.waves_with_audits(session, checklist_id=meta.id, clinic_ids=clinic_ids)
    wave_ids = [w.id or 0 for w in chosen_waves]
    if clinic is None:
        clinic_ids = branch_ids(session, clinic_ids)
    score_store.store_scores(session, checklist_id=meta.id, wave_ids=wave_ids)
    report = key_drivers(session, checklist_id=meta.id, wave_ids=wave_ids, clinic_ids=clinic_ids,
                         target=meta.target, renames=dict(meta.renames))
    return DriverPage(found.slug, meta.title, chosen_waves, chosen_region, chosen_clinic, report,
                      {k: i.text for k, i in meta.items.items() if i.scored},
                      {tp.key: tp.title for tp in meta.touchpoints})


def branch_ids(session: Session, clinic_ids: set[int] | None) -> set[int]:
    """The branches among the clinics (None = all): competitors are benchmarks, not our drivers."""
    query = select(col(Clinic.id)).where(col(Clinic.is_competitor).is_(False))
    branches = {int(i) for i in session.execute(query).scalars().all()}
    return branches if clinic_ids is None else branches & clinic_ids


def network_key_items(session: Session, *, user: User, checklist_id: int, target: float,
                      renames: dict[str, str], wave_ids: list[int] | None) -> frozenset[str]:
    """The key-driver items of a checklist over the reader's visible branches in the given waves
    (None = every wave): what the gap report and the journey map flag."""
    clinic_ids = branch_ids(session, visible_clinic_ids(session, user))
    score_store.store_scores(session, checklist_id=checklist_id, wave_ids=wave_ids)
    report = key_drivers(session, checklist_id=checklist_id, wave_ids=wave_ids, clinic_ids=clinic_ids,
                         target=target, renames=renames, count_audits=False)
    return report.key_items


def key_items_of(session: Session, *, user: User, slug: str | None, wave_id: int | None) -> frozenset[str]:
    """network_key_items for a checklist given by slug in one wave (nothing without a checklist)."""
    if not slug:
        return frozenset()
    meta = lookups.checklist_meta(session, lookups.find_checklist(session, slug))
    return network_key_items(session, user=user, checklist_id=meta.id, target=meta.target,
                             renames=dict(meta.renames), wave_ids=[wave_id] if wave_id else None)
