"""The clinic gap report (docs/design.md §6, JSON shape of §8): where a branch falls short of the standard,
by how much, how sure we are, what to fix first, and what changed since the previous wave.

Every figure comes from the aggregate queries in queries.py; this module only shapes their rows.
"""

from statistics import fmean
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.actions import boards
from app.actions.models import ActionStatus
from app.clinics import time_zones
from app.clinics.models import Clinic, Region
from app.fieldwork.models import Audit, AuditStatus, Evidence, Wave
from app.reports import lookups, queries, score_store
from app.reports.changes import compare_pass_rates
from app.reports.lookups import ChecklistMeta, ClinicNotFound
from app.reports.queries import AuditFilter
from app.reports.sample_size import weakest_item_advice
from app.validity.models import AuditValidity, Verdict
from app.wilson import mean_interval, wilson_interval

BINARY_TYPES = ("yes_no", "number")  # items scored 0 or 1 (docs/design.md §5: they get a Wilson interval)
SMALL_SAMPLE = 3  # fewer approved visits than this: the page warns the figures are not yet reliable
EVIDENCE_LIMIT = 60  # failing answers shown as evidence under the item gaps
RECENT_VERIFIED = 5  # verified (green) actions listed under the open ones


def _wave_ref(wave: Wave | None) -> dict[str, Any] | None:
    return {"id": wave.id, "name": wave.name} if wave else None


def _clinic_ref(session: Session, clinic: Clinic) -> dict[str, Any]:
    region = session.get(Region, clinic.region_id) if clinic.region_id else None
    return {"id": clinic.id, "name": clinic.name, "region": region.name if region else None,
            "is_competitor": clinic.is_competitor}


def report_clinic(session: Session, *, user: User, clinic_id: int) -> Clinic:
    """The clinic if the user may see it. Raises ClinicNotFound for one that does not exist and, in
    the same words, for one outside the user's scope (its existence is private too)."""
    clinic = session.get(Clinic, clinic_id)
    visible = visible_clinic_ids(session, user)
    if clinic is None or (visible is not None and clinic_id not in visible):
        raise ClinicNotFound(clinic=clinic_id)
    return clinic


def clinic_figures(session: Session, meta: ChecklistMeta, where: AuditFilter) -> dict[str, Any]:
    """Score, touchpoints, item pass rates and emotions of one clinic in one wave (four queries)."""
    overall = session.execute(queries.clinic_scores(where)).mappings().first()
    tps = {r.touchpoint_key: r for r in session.execute(queries.clinic_touchpoint_scores(where)).all()}
    rates = {r.item_key: r for r in session.execute(queries.item_pass_rates(where)).all()}
    emotion_rows = session.execute(queries.touchpoint_emotions(where)).all()
    emotions = {r.touchpoint_key: r.emotion for r in emotion_rows}
    touchpoints = []
    for tp in meta.touchpoints:
        row = tps.get(tp.key)
        if row is None and not tp.current and tp.key not in emotions:
            continue
        score = row.score if row else None
        touchpoints.append({
            "key": tp.key, "score": score, "target": tp.target,
            "gap": max(0.0, tp.target - score) if score is not None else None,
            "n": row.n if row else 0, "critical_failures": int(row.critical_failures) if row else 0,
            "emotion": emotions.get(tp.key), "weight": tp.weight})
    weights = {tp.key: tp.weight for tp in meta.touchpoints}
    item_rows = []
    for key, item in meta.items.items():
        rate = rates.get(key)
        if rate is None or not rate.n or not item.scored:
            continue
        interval = wilson_interval(rate.passed, rate.n) if item.binary else None
        item_rows.append({
            "key": key, "touchpoint": item.touchpoint, "pass_rate": rate.pass_rate, "n": rate.n,
            "ci_low": interval[0] if interval else None, "ci_high": interval[1] if interval else None,
            "priority": item.weight * weights[item.touchpoint] * (1 - rate.pass_rate), "type": item.type})
    item_rows.sort(key=lambda r: -r["priority"])  # stable: equal priorities keep journey order
    return {
        "audits": overall["audits"] if overall else 0,
        "score": overall["score"] if overall else None,
        "critical_failures": int(overall["critical_failures"]) if overall else 0,
        "score_ci": _score_interval(overall),
        "touchpoints": touchpoints, "items": item_rows,
    }


def _score_interval(overall: Any) -> tuple[float, float] | None:
    """mean ± t·sd/√n of the audit scores (see app.wilson.mean_interval), clipped to 0..100."""
    if not overall or not overall["scored"]:
        return None
    interval = mean_interval(overall["scored"], overall["total"], overall["total_of_squares"])
    return (max(0.0, interval[0]), min(100.0, interval[1])) if interval else None


def network_mean(session: Session, *, checklist_id: int, wave_id: int,
                 clinic_ids: set[int] | None) -> float | None:
    """Mean of the branches' clinic scores (each branch once; competitors left out) over the clinics
    given (None = all): the same figure, computed the same way, as the network report's score."""
    scores = queries.clinic_scores(AuditFilter(checklist_id, [wave_id], clinic_ids)).subquery()
    query = (select(scores.c.score).join(Clinic, col(Clinic.id) == scores.c.clinic_id)
             .where(col(Clinic.is_competitor).is_(False), scores.c.score.is_not(None)))
    branch_scores = list(session.execute(query).scalars().all())
    return fmean(branch_scores) if branch_scores else None


def _changes(now: dict[str, Any], before: dict[str, Any], wave: Wave) -> dict[str, Any]:
    def delta(a: float | None, b: float | None) -> float | None:
        return a - b if a is not None and b is not None else None

    before_tps = {t["key"]: t["score"] for t in before["touchpoints"]}
    before_items = {i["key"]: i["pass_rate"] for i in before["items"]}
    before_n = {i["key"]: i["n"] for i in before["items"]}

    def tested(item: dict[str, Any]) -> dict[str, Any]:
        if item["key"] not in before_items:
            return {}
        change = compare_pass_rates(now=item["pass_rate"], n_now=item["n"], before=before_items[item["key"]],
                                    n_before=before_n[item["key"]], binary=item["type"] in BINARY_TYPES)
        return {"points": change.points, "verdict": str(change.verdict), "p_value": change.p_value,
                "n": before_n[item["key"]]}

    return {
        "wave": _wave_ref(wave), "audits": before["audits"], "score": before["score"],
        "delta": delta(now["score"], before["score"]),
        "touchpoints": {t["key"]: {"score": before_tps.get(t["key"]),
                                   "delta": delta(t["score"], before_tps.get(t["key"]))}
                        for t in now["touchpoints"]},
        "items": {i["key"]: {"pass_rate": before_items.get(i["key"]),
                             "delta": delta(i["pass_rate"], before_items.get(i["key"])), **tested(i)}
                  for i in now["items"]},
    }


def _audits_behind(session: Session, *, checklist_id: int, wave_id: int,
                   clinic: Clinic) -> list[dict[str, Any]]:
    clinic_id = clinic.id or 0
    query = (select(col(Audit.id), col(Audit.visit_started_at), col(Audit.submitted_at),
                    col(AuditValidity.verdict))
             .join(lookups.ChecklistVersion, col(lookups.ChecklistVersion.id) == Audit.checklist_version_id)
             .outerjoin(AuditValidity, col(AuditValidity.audit_id) == Audit.id)
             .where(Audit.status == AuditStatus.approved, Audit.wave_id == wave_id,
                    Audit.clinic_id == clinic_id,
                    lookups.ChecklistVersion.checklist_id == checklist_id)
             .order_by(col(Audit.id)))
    rows = session.execute(query).all()
    # An audit QA approved although its visit was judged doubtful or invalid is marked (docs/validity.md).
    # The visit's day is the clinic's (its time zone), as the shopper and the clinic saw it.
    return [{"id": r.id, "date": time_zones.local(r.visit_started_at or r.submitted_at, clinic)
             if (r.visit_started_at or r.submitted_at) else None,
             "approved_despite_doubt": r.verdict in (Verdict.doubtful, Verdict.invalid)} for r in rows]


def _evidence(session: Session, where: AuditFilter) -> dict[str, list[dict[str, Any]]]:
    """Failing answers per item key, each with the shopper's comment and photo ids (two queries)."""
    failing = session.execute(queries.failing_answers(where, limit=EVIDENCE_LIMIT)).all()
    if not failing:
        return {}
    audit_ids = {r.audit_id for r in failing}
    photos: dict[tuple[int, int | None], list[int]] = {}
    for ev in session.execute(select(col(Evidence.id), col(Evidence.audit_id), col(Evidence.item_id))
                              .where(col(Evidence.audit_id).in_(audit_ids), Evidence.kind == "photo")
                              .order_by(col(Evidence.id))).all():
        photos.setdefault((ev.audit_id, ev.item_id), []).append(ev.id)
    by_item: dict[str, list[dict[str, Any]]] = {}
    for r in failing:
        entry = {"audit_id": r.audit_id, "s": r.s, "comment": r.comment,
                 "photos": photos.get((r.audit_id, r.item_id), [])}
        if entry["comment"] or entry["photos"]:
            by_item.setdefault(r.item_key, []).append(entry)
    return by_item


def clinic_actions(session: Session, *, user: User, clinic_id: int) -> list[dict[str, Any]]:
    """The clinic's action plan as the report shows it (docs/design.md §6, "open actions and their owners"):
    open, in-progress and done (awaiting a visit to verify it) actions, overdue first then by due
    date, followed by the RECENT_VERIFIED most recently verified ones (green). Read through the
    action boards, so the scope and the overdue rule are theirs."""
    rows = boards.list_actions(session, user=user, filters=boards.BoardFilter(clinic_id=clinic_id))
    clinic = session.get(Clinic, clinic_id)
    pending = [r for r in rows if r["action"].status != ActionStatus.verified]
    verified = sorted((r for r in rows if r["action"].status == ActionStatus.verified),
                      key=lambda r: r["action"].verified_at or r["action"].updated_at, reverse=True)
    return [{"id": r["action"].id, "title": r["action"].title, "status": r["action"].status,
             "kind": r["action"].kind, "touchpoint": r["action"].touchpoint_key,
             "owner": r["owner"].name or r["owner"].email, "due_on": r["action"].due_on,
             "overdue": r["overdue"], "item_keys": r["items"],
             "verified_at": time_zones.local_date(r["action"].verified_at, clinic),
             "verified_by_audit_id": r["action"].verified_by_audit_id}
            for r in pending + verified[:RECENT_VERIFIED]]


def build_clinic_report(session: Session, *, user: User, clinic_id: int, wave: str | None = None,
                        checklist: str | None = None) -> dict[str, Any]:
    """The gap report of one clinic for one wave and checklist (docs/design.md §8 plus extras).

    Defaults: the checklist of most of the clinic's approved audits (in the wave, if given), and
    the latest wave with approved audits of it. With no approved audits the figures are null and
    `audits` is 0. `network_mean` is the mean over the branches the reader may see (the whole
    network for unscoped readers), the same figure as their network report. Raises ClinicNotFound
    (also outside the reader's scope), WaveNotFound, ChecklistNotFound.
    """
    clinic = report_clinic(session, user=user, clinic_id=clinic_id)
    chosen_wave = lookups.find_wave(session, wave) if wave else None
    chosen = (lookups.find_checklist(session, checklist) if checklist else
              lookups.most_used_checklist(session, clinic_ids=[clinic_id],
                                          wave_id=chosen_wave.id if chosen_wave else None))
    report: dict[str, Any] = {
        "clinic": _clinic_ref(session, clinic), "wave": _wave_ref(chosen_wave),
        "checklist": chosen.slug if chosen else None, "audits": 0, "score": None, "target": None,
        "network_mean": None, "critical_failures": 0, "touchpoints": [], "items": [],
        "previous_wave": None, "audit_ids": [], "audit_list": [], "score_ci": None, "advice": None,
        "small_sample": True, "evidence": {}, "checklist_title": None, "item_texts": {},
        "touchpoint_titles": {}, "actions": clinic_actions(session, user=user, clinic_id=clinic_id),
    }
    if chosen is None:
        return report
    waves = lookups.waves_with_audits(session, checklist_id=chosen.id or 0, clinic_ids=[clinic_id])
    if chosen_wave is None and waves:
        chosen_wave = waves[-1]
        report["wave"] = _wave_ref(chosen_wave)
    # Weights, targets and texts of the versions these audits were filled on, not the latest.
    behind = (lookups.versions_behind(session, AuditFilter(chosen.id or 0, [chosen_wave.id or 0], [clinic_id]))
              if chosen_wave is not None else None)
    meta = lookups.checklist_meta(session, chosen, behind)
    report.update(target=meta.target, checklist_title=meta.title,
                  item_texts={k: i.text for k, i in meta.items.items()},
                  touchpoint_titles={tp.key: tp.title for tp in meta.touchpoints})
    if chosen_wave is None:
        report["touchpoints"] = [{"key": tp.key, "score": None, "target": tp.target, "gap": None, "n": 0,
                                  "critical_failures": 0, "emotion": None, "weight": tp.weight}
                                 for tp in meta.touchpoints if tp.current]
        return report
    before = lookups.previous_wave(waves, chosen_wave)
    score_store.store_scores(session, checklist_id=meta.id,
                             wave_ids=[w.id or 0 for w in (chosen_wave, before) if w is not None])
    where = AuditFilter(meta.id, [chosen_wave.id or 0], [clinic_id], meta.renames)
    figures = clinic_figures(session, meta, where)
    report.update(figures)
    visible = visible_clinic_ids(session, user)
    report["network_mean"] = network_mean(session, checklist_id=meta.id, wave_id=chosen_wave.id or 0,
                                          clinic_ids=visible)
    report["advice"] = weakest_item_advice(figures["items"])
    report["small_sample"] = figures["audits"] < SMALL_SAMPLE
    if before is not None:
        earlier_where = AuditFilter(meta.id, [before.id or 0], [clinic_id], meta.renames)
        earlier = clinic_figures(session, meta, earlier_where)
        report["previous_wave"] = _changes(figures, earlier, before)
    report["audit_list"] = _audits_behind(session, checklist_id=meta.id, wave_id=chosen_wave.id or 0,
                                          clinic=clinic)
    report["audit_ids"] = [a["id"] for a in report["audit_list"]]
    report["evidence"] = _evidence(session, where)
    return report
