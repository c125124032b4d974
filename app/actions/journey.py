"""The clinic's journey map for one wave: touchpoints in journey order as columns, and for each the
patient's need and channel (from the checklist), the emotion, the score against target, the
problems (open item gaps by priority, from the gap report), the fixes (verified actions), the ideas
and the owners of what is still open.
"""

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.actions import service
from app.actions.models import Action, ActionStatus
from app.checklists.models import Checklist, ChecklistVersion, Touchpoint
from app.i18n import gettext, localized
from app.reports import charts
from app.reports.clinic_report import build_clinic_report

PROBLEMS_PER_TOUCHPOINT = 6


def _latest_touchpoints(session: Session, slug: str | None) -> dict[str, Touchpoint]:
    if not slug:
        return {}
    query = (select(Touchpoint).join(ChecklistVersion, col(ChecklistVersion.id) == Touchpoint.version_id)
             .join(Checklist, col(Checklist.id) == ChecklistVersion.checklist_id)
             .where(Checklist.slug == slug, ChecklistVersion.status == "published")
             .order_by(col(ChecklistVersion.version).desc(), col(Touchpoint.position)))
    found: dict[str, Touchpoint] = {}
    for tp in session.exec(query).all():
        found.setdefault(tp.key, tp)
    return found


def build_journey(session: Session, *, user: User, clinic_id: int, wave: str | None = None) -> dict[str, Any]:
    """The journey map of the clinic in the wave (default: the latest with approved audits).

    A problem is an item gap of the wave (pass rate below 1), most important first; a fix is a
    verified action; an idea is an action of kind idea not yet verified. Raises ClinicNotFound,
    WaveNotFound (404) as the gap report does.
    """
    report = build_clinic_report(session, user=user, clinic_id=clinic_id, wave=wave)
    tp_meta = _latest_touchpoints(session, report["checklist"])
    actions = session.exec(select(Action, User).join(User, col(User.id) == Action.owner_id)
                           .where(Action.clinic_id == clinic_id)
                           .order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.id))).all()
    covered = service.items_of(session, [a.id for a, _u in actions if a.id is not None])
    texts = report["item_texts"]
    columns = []
    for tp in report["touchpoints"]:
        key = tp["key"]
        meta = tp_meta.get(key)
        problems = [{"key": i["key"], "text": localized(texts.get(i["key"]) or {}) or i["key"],
                     "pass_rate": i["pass_rate"], "priority": i["priority"], "n": i["n"]}
                    for i in report["items"] if i["touchpoint"] == key and i["pass_rate"] < 1]
        mine = [(a, u) for a, u in actions if a.touchpoint_key == key]
        columns.append({
            "key": key, "title": localized(report["touchpoint_titles"].get(key) or {}) or key,
            "need": localized(meta.need) if meta and meta.need else None,
            "channel": meta.channel if meta else None,
            "score": tp["score"], "target": tp["target"], "gap": tp["gap"], "n": tp["n"],
            "emotion": tp["emotion"],
            "problems": problems[:PROBLEMS_PER_TOUCHPOINT],
            "more_problems": max(0, len(problems) - PROBLEMS_PER_TOUCHPOINT),
            "fixes": [{"action": a, "owner": u, "items": covered.get(a.id or 0, [])}
                      for a, u in mine if a.status == ActionStatus.verified],
            "ideas": [{"action": a, "owner": u} for a, u in mine
                      if a.kind == "idea" and a.status != ActionStatus.verified],
            "open": [{"action": a, "owner": u} for a, u in mine
                     if a.kind == "gap" and a.status != ActionStatus.verified],
            "owners": sorted({(u.name or u.email) for a, u in mine if a.status != ActionStatus.verified}),
        })
    curve = charts.journey_emotion_curve([c["emotion"] for c in columns], label=gettext("Emotion curve"))
    return {"report": report, "columns": columns, "emotion": curve}
