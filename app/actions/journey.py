"""The clinic's journey map for one wave, a customer journey map with its service blueprint
(docs/journey-map.md): the stages (touchpoints in journey order) as columns with the emotion curve
drawn across them, and for each stage the patient's need and channel (from the checklist), the
emotion, the score against target, the problems (open item gaps by priority, from the gap report),
the fixes in progress, the verified fixes and the ideas; below them the blueprint lanes: what staff
do in front of the patient (the stage's checklist items), backstage work and supporting systems
(set per clinic), and the stage's one owner.
"""

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.actions import service, stages
from app.actions.models import Action, ActionStatus
from app.checklists.models import Checklist, ChecklistVersion, Item, Touchpoint
from app.checklists.schema import SCORED_TYPES
from app.i18n import N_, gettext, localized
from app.reports import charts
from app.reports.clinic_report import build_clinic_report

PROBLEMS_PER_TOUCHPOINT = 6
CHANNELS = {"phone": N_("Phone"), "site": N_("Website"), "messenger": N_("Messenger"),
            "clinic": N_("At the clinic"), "email": N_("E-mail"), "other": N_("Other")}


def channel_label(channel: str | None) -> str | None:
    """The channel in the reader's language (an unknown value is shown as it is)."""
    if not channel:
        return None
    return gettext(CHANNELS[channel]) if channel in CHANNELS else channel


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


def _front_stage(session: Session, touchpoints: dict[str, Touchpoint]) -> dict[str, list[str]]:
    """Per touchpoint key, the texts of its scored items (what staff do in front of the patient)."""
    ids = {tp.id: key for key, tp in touchpoints.items()}
    if not ids:
        return {}
    query = (select(Item).where(col(Item.touchpoint_id).in_(list(ids)),
                                col(Item.type).in_([str(t) for t in SCORED_TYPES]))
             .order_by(col(Item.position)))
    found: dict[str, list[str]] = {}
    for item in session.exec(query).all():
        found.setdefault(ids[item.touchpoint_id], []).append(localized(item.text) or item.key)
    return found


def stage_title(session: Session, touchpoint_key: str) -> str:
    """The stage's title in the reader's language, from the newest touchpoint with this key."""
    query = select(Touchpoint).where(Touchpoint.key == touchpoint_key).order_by(col(Touchpoint.id).desc()).limit(1)
    found = session.exec(query).first()
    return (localized(found.title) or touchpoint_key) if found else touchpoint_key


def build_journey(session: Session, *, user: User, clinic_id: int, wave: str | None = None) -> dict[str, Any]:
    """The journey map of the clinic in the wave (default: the latest with approved audits).

    A problem is an item gap of the wave (pass rate below 1), most important first (`driver` is
    set by the caller that knows the key drivers); a fix in progress is a gap action not yet verified;
    a verified fix is a verified action; an idea is an action of kind idea not yet verified. Raises
    ClinicNotFound, WaveNotFound (404) as the gap report does.
    """
    report = build_clinic_report(session, user=user, clinic_id=clinic_id, wave=wave)
    tp_meta = _latest_touchpoints(session, report["checklist"])
    front = _front_stage(session, tp_meta)
    blueprint = stages.stages_of(session, clinic_id=clinic_id)
    actions = session.exec(select(Action, User).join(User, col(User.id) == Action.owner_id)
                           .where(Action.clinic_id == clinic_id)
                           .order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.id))).all()
    covered = service.items_of(session, [a.id for a, _u in actions if a.id is not None])
    texts = report["item_texts"]
    columns = []
    for tp in report["touchpoints"]:
        key = tp["key"]
        meta = tp_meta.get(key)
        stage = blueprint.get(key)
        problems = [{"key": i["key"], "text": localized(texts.get(i["key"]) or {}) or i["key"],
                     "pass_rate": i["pass_rate"], "priority": i["priority"], "n": i["n"],
                     "driver": False}
                    for i in report["items"] if i["touchpoint"] == key and i["pass_rate"] < 1]
        mine = [(a, u) for a, u in actions if a.touchpoint_key == key]
        columns.append({
            "key": key, "title": localized(report["touchpoint_titles"].get(key) or {}) or key,
            "need": localized(meta.need) if meta and meta.need else None,
            "channel": channel_label(meta.channel if meta else None),
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
            "front_stage": front.get(key, []),
            "backstage": stage.backstage if stage else "",
            "systems": stage.systems if stage else "",
            "stage_owner": stage.owner_name if stage else "",
        })
    curve = charts.journey_emotion_curve([c["emotion"] for c in columns], label=gettext("Emotion curve"))
    return {"report": report, "columns": columns, "emotion": curve, "can_edit_stages": stages.can_edit_stages(user)}
