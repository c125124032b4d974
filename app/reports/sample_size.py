"""How many visits a clinic needs (docs/design.md §5): enough that the pass rate of its weakest 0/1 item is
known to ± 10 points at 95 %, n = ceil(z² · p(1 − p) / 0.10²) (the formula is `app.wilson.visits_needed`).

The clinic report shows it under the item gaps; the wave plan shows it per clinic next to the
planned visits. Both pick the weakest item the same way, here. The pass rates come from the
aggregate SQL of queries.py (one query for all the clinics of a plan).
"""

from collections.abc import Collection
from typing import Any

from sqlmodel import Session, col, select

from app.checklists.models import Checklist
from app.fieldwork.models import Wave
from app.reports import lookups, queries
from app.reports.queries import AuditFilter
from app.wilson import MARGIN, Z95, wilson_interval
from app.wilson import visits_needed as visits_for_rate

ADVICE_FORMULA = "n = ceil(z² · p(1 − p) / 0.10²), z = 1.96"


def weakest_item_advice(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """From a report's item rows (key, pass_rate, n, ci_low, priority): the visits needed so the pass
    rate of the weakest 0/1 item (lowest pass rate; ties: highest priority) is known to ± 10 points.
    None when no 0/1 item has answers."""
    binary = [i for i in items if i["ci_low"] is not None]
    if not binary:
        return None
    weakest = min(binary, key=lambda i: (i["pass_rate"], -i["priority"]))
    needed = visits_for_rate(weakest["pass_rate"])
    return {"item": weakest["key"], "pass_rate": weakest["pass_rate"], "n": weakest["n"],
            "visits_needed": needed, "more_visits": max(0, needed - weakest["n"]),
            "margin": MARGIN, "z": Z95, "formula": ADVICE_FORMULA}


def visits_needed_by_clinic(session: Session, *, checklist: Checklist,
                            clinic_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """Per clinic, the advice of `weakest_item_advice` over its approved audits of the checklist in
    the latest wave that has any (the same figures as its clinic report for that wave), plus `wave`
    (its name). Clinics without approved audits of the checklist are left out. Raises
    ChecklistNotFound when the checklist has no published version."""
    if not clinic_ids:
        return {}
    # The weights of the versions the audits were filled on: publishing moves no advice.
    meta = lookups.checklist_meta(session, checklist, lookups.versions_behind(
        session, AuditFilter(checklist.id or 0, None, list(clinic_ids))))
    weights = {tp.key: tp.weight for tp in meta.touchpoints}
    rows = session.execute(queries.item_pass_rates(AuditFilter(meta.id, None, list(clinic_ids),
                                                               meta.renames))).all()
    wave_ids = {row.wave_id for row in rows}
    order = {wave.id: (wave.starts_on, wave.id or 0, wave.name) for wave in
             session.exec(select(Wave).where(col(Wave.id).in_(wave_ids))).all()} if wave_ids else {}
    latest: dict[int, int] = {}
    for row in rows:
        current = latest.get(row.clinic_id)
        if current is None or order[row.wave_id][:2] > order[current][:2]:
            latest[row.clinic_id] = row.wave_id
    items: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        item = meta.items.get(row.item_key)
        if row.wave_id != latest[row.clinic_id] or item is None or not item.binary or not row.n:
            continue
        interval = wilson_interval(row.passed, row.n)
        items.setdefault(row.clinic_id, []).append({
            "key": row.item_key, "pass_rate": row.pass_rate, "n": row.n,
            "ci_low": interval[0] if interval else None,
            "priority": item.weight * weights.get(item.touchpoint, 1.0) * (1 - row.pass_rate)})
    advice: dict[int, dict[str, Any]] = {}
    for clinic_id, clinic_items in items.items():
        found = weakest_item_advice(clinic_items)
        if found is not None:
            advice[clinic_id] = found | {"wave": order[latest[clinic_id]][2]}
    return advice


def visits_needed(session: Session, clinic_id: int, checklist: Checklist) -> dict[str, Any] | None:
    """The sample-size advice for one clinic (see `visits_needed_by_clinic`), None without data."""
    return visits_needed_by_clinic(session, checklist=checklist, clinic_ids=[clinic_id]).get(clinic_id)
