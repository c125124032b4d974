"""The network comparison (docs/design.md §6, JSON shape of §8): clinic × touchpoint scores, the ranking of
branches, competitors as benchmark rows, and the trend across waves.

Choices made here (the design leaves them open):
- `clinics` lists the visible clinics with at least one approved audit of the checklist in the wave.
- `rank` is competition ranking over branches with a score ("1, 1, 3" for a tie on exactly the same
  score); competitors and branches without a score have rank null.
- A scoped director's network figures are computed over the branches they may see: their report is
  their network, and no figure mixes in clinics they may not see.
"""

from collections.abc import Iterable
from statistics import fmean
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.scope import visible_clinic_ids
from app.clinics.models import Clinic
from app.reports import lookups, queries, score_store
from app.reports.queries import AuditFilter


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def rank_branches(clinics: list[dict[str, Any]]) -> None:
    """Sort clinics by score (highest first, no score last, then name) and set competition ranks on
    branches: equal scores share a rank and the next rank skips (1, 1, 3)."""
    clinics.sort(key=lambda c: (c["score"] is None, -(c["score"] or 0.0), c["name"], c["id"]))
    rank, seen, previous = 0, 0, None
    for clinic in clinics:
        clinic["rank"] = None
        if clinic["is_competitor"] or clinic["score"] is None:
            continue
        seen += 1
        if clinic["score"] != previous:
            rank, previous = seen, clinic["score"]
        clinic["rank"] = rank


def report_clinic_ids(session: Session, *, user: User, region_id: int | None) -> set[int] | None:
    """The clinics the report may cover: the user's scope, narrowed to a region (None = all)."""
    visible = visible_clinic_ids(session, user)
    if region_id is None:
        return visible
    query = select(col(Clinic.id)).where(Clinic.region_id == region_id)
    in_region = set(session.execute(query).scalars().all())
    return in_region if visible is None else in_region & visible


def _network(clinics: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    branches = [c for c in clinics if not c["is_competitor"]]
    return {"score": _mean(c["score"] for c in branches),
            "touchpoints": {k: _mean(c["touchpoints"].get(k) for c in branches) for k in keys}}


def _trend(session: Session, *, checklist_id: int, clinic_ids: set[int] | None,
           waves: list[lookups.Wave]) -> list[dict[str, Any]]:
    """Per wave (oldest first): the network score and each clinic's score (two queries)."""
    by_wave: dict[int, list[Any]] = {}
    all_rows = session.execute(queries.clinic_scores(AuditFilter(checklist_id, None, clinic_ids))).all()
    for row in all_rows:
        by_wave.setdefault(row.wave_id, []).append(row)
    clinics = lookups.clinics_by_id(session, {r.clinic_id for r in all_rows})
    trend = []
    for wave in waves:
        rows = [r for r in by_wave.get(wave.id or 0, []) if r.clinic_id in clinics]
        branch_scores = [r.score for r in rows if not clinics[r.clinic_id].is_competitor]
        trend.append({"wave": {"id": wave.id, "name": wave.name}, "network": _mean(branch_scores),
                      "clinics": [{"id": r.clinic_id, "audits": r.audits, "score": r.score}
                                  for r in sorted(rows, key=lambda r: r.clinic_id)]})
    return trend


def build_network_report(session: Session, *, user: User, wave: str | None = None,
                         checklist: str | None = None, region: str | None = None) -> dict[str, Any]:
    """The network comparison for one wave and checklist, over the user's visible clinics in the
    region. Defaults: the checklist of most approved audits there, its latest wave with approved
    audits. Raises WaveNotFound, ChecklistNotFound, RegionNotFound."""
    chosen_wave = lookups.find_wave(session, wave) if wave else None
    chosen_region = lookups.find_region(session, region) if region else None
    clinic_ids = report_clinic_ids(session, user=user, region_id=chosen_region.id if chosen_region else None)
    chosen = (lookups.find_checklist(session, checklist) if checklist else
              lookups.most_used_checklist(session, clinic_ids=clinic_ids,
                                          wave_id=chosen_wave.id if chosen_wave else None))
    report: dict[str, Any] = {
        "wave": None, "checklist": chosen.slug if chosen else None, "touchpoints": [],
        "network": {"score": None, "touchpoints": {}}, "clinics": [], "trend": [],
        "region": {"id": chosen_region.id, "name": chosen_region.name} if chosen_region else None,
        "best": None, "worst": None, "touchpoint_titles": {}, "checklist_title": None,
        "target": None, "targets": {},
    }
    if chosen_wave is not None:
        report["wave"] = {"id": chosen_wave.id, "name": chosen_wave.name}
    if chosen is None:
        return report
    waves = lookups.waves_with_audits(session, checklist_id=chosen.id or 0, clinic_ids=clinic_ids)
    if chosen_wave is None and waves:
        chosen_wave = waves[-1]
        report["wave"] = {"id": chosen_wave.id, "name": chosen_wave.name}
    # The touchpoints and titles of the versions these audits were filled on, not the latest.
    behind = (lookups.versions_behind(session, AuditFilter(chosen.id or 0, [chosen_wave.id or 0], clinic_ids))
              if chosen_wave is not None else None)
    meta = lookups.checklist_meta(session, chosen, behind)
    report["checklist_title"] = meta.title
    report["touchpoint_titles"] = {tp.key: tp.title for tp in meta.touchpoints}
    report["target"] = meta.target
    report["targets"] = {tp.key: tp.target for tp in meta.touchpoints}
    keys = [tp.key for tp in meta.touchpoints if tp.current]
    report["touchpoints"] = keys
    report["network"]["touchpoints"] = {k: None for k in keys}
    if chosen_wave is None:
        return report
    score_store.store_scores(session, checklist_id=meta.id)  # every wave: the trend needs them all
    where = AuditFilter(meta.id, [chosen_wave.id or 0], clinic_ids)
    scores = session.execute(queries.clinic_scores(where)).all()
    tp_rows = session.execute(queries.clinic_touchpoint_scores(where)).all()
    with_data = {r.touchpoint_key for r in tp_rows}
    older = [tp.key for tp in meta.touchpoints if not tp.current and tp.key in with_data]
    keys = keys + older
    report["touchpoints"] = keys
    clinics = lookups.clinics_by_id(session, {r.clinic_id for r in scores})
    regions = lookups.region_names(session)
    per_clinic: dict[int, dict[str, float | None]] = {r.clinic_id: {k: None for k in keys} for r in scores}
    flagged: dict[int, dict[str, int]] = {r.clinic_id: {} for r in scores}
    for r in tp_rows:
        per_clinic[r.clinic_id][r.touchpoint_key] = r.score
        if r.critical_failures:
            flagged[r.clinic_id][r.touchpoint_key] = int(r.critical_failures)
    rows = []
    for r in scores:
        clinic = clinics[r.clinic_id]
        rows.append({"id": clinic.id, "name": clinic.name,
                     "region": regions.get(clinic.region_id) if clinic.region_id else None,
                     "is_competitor": clinic.is_competitor, "audits": r.audits, "score": r.score,
                     "rank": None,
                     "touchpoints": per_clinic[r.clinic_id], "critical_failures": int(r.critical_failures),
                     "critical_by_touchpoint": flagged[r.clinic_id]})
    rank_branches(rows)
    report["clinics"] = rows
    report["network"] = _network(rows, keys)
    ranked = [c for c in rows if c["rank"] is not None]
    if ranked:
        report["best"] = {"id": ranked[0]["id"], "name": ranked[0]["name"], "score": ranked[0]["score"]}
        report["worst"] = {"id": ranked[-1]["id"], "name": ranked[-1]["name"], "score": ranked[-1]["score"]}
    report["trend"] = _trend(session, checklist_id=meta.id, clinic_ids=clinic_ids, waves=waves)
    return report
