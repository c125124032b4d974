"""Everything the review screen shows about one audit: answers by touchpoint with their evidence,
timings, the check-in distance, the scenario, the decision history and what changed since the
previous submission."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists.content import content_of
from app.checklists.models import ChecklistVersion, Item, ItemOption, Touchpoint
from app.checklists.schema import ItemType
from app.clinics.models import Clinic
from app.fieldwork.models import Answer, Assignment, Audit, Evidence, Review, Scenario, Wave
from app.i18n import gettext, localized
from app.review import service

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def checkin_distance_m(audit: Audit, clinic: Clinic) -> float | None:
    """How far from the clinic the shopper checked in; None without both coordinates."""
    if None in (audit.checkin_latitude, audit.checkin_longitude, clinic.latitude, clinic.longitude):
        return None
    return distance_m(audit.checkin_latitude or 0.0, audit.checkin_longitude or 0.0,
                      clinic.latitude or 0.0, clinic.longitude or 0.0)


def hours_to_submit(audit: Audit) -> float | None:
    """Hours from the end of the visit (or its start) to the latest submission."""
    visit = audit.visit_ended_at or audit.visit_started_at
    if visit is None or audit.submitted_at is None:
        return None
    return (audit.submitted_at - visit).total_seconds() / 3600


def shown_value(item: Item, answer: Answer | None, options: dict[tuple[int, str], ItemOption]) -> str:
    """The answer as a reviewer reads it."""
    if answer is None:
        return ""
    if answer.na:
        return gettext("N/A")
    if item.type == ItemType.yes_no and answer.value_num is not None:
        return gettext("Yes") if answer.value_num >= 1 else gettext("No")
    if item.type == ItemType.choice and answer.value_text is not None:
        option = options.get((item.id or 0, answer.value_text))
        return localized(option.text) if option else answer.value_text
    if answer.value_num is not None:
        number = f"{answer.value_num:g}"
        return f"{number} {item.unit}" if item.unit else number
    return answer.value_text or ""


@dataclass
class ItemRow:
    item: Item
    answer: Answer | None
    shown: str
    evidence: list[Evidence]
    changed: bool  # answered or changed since the previous decision (a resubmission)
    previous_comment: str | None  # what QA wrote on this item at the previous return
    previous_shown: str | None = None  # a changed item's answer as it was at that return


@dataclass
class TouchpointBlock:
    touchpoint: Touchpoint
    rows: list[ItemRow]


@dataclass
class HistoryEntry:
    review: Review
    reviewer: str
    comments: dict[str, str]


@dataclass
class ReviewScreen:
    audit: Audit
    clinic: Clinic
    wave: Wave
    shopper: User
    assignment: Assignment
    scenario: Scenario | None
    version: ChecklistVersion
    slug: str
    touchpoints: list[TouchpointBlock]
    audit_evidence: list[Evidence]
    history: list[HistoryEntry]
    hours_to_submit: float | None
    checkin_distance_m: float | None
    changed_since: datetime | None  # the previous decision, on a resubmission
    changed_count: int = 0
    comment_drafts: dict[str, str] = field(default_factory=dict)


def review_screen(session: Session, audit: Audit) -> ReviewScreen:
    """The audit as the reviewer sees it (any status; only a submitted one can be decided)."""
    clinic = session.get(Clinic, audit.clinic_id)
    wave = session.get(Wave, audit.wave_id)
    shopper = session.get(User, audit.shopper_id)
    assignment = session.get(Assignment, audit.assignment_id)
    content = content_of(session, audit.checklist_version_id)
    version = content.version
    assert clinic and wave and shopper and assignment
    scenario = session.get(Scenario, assignment.scenario_id) if assignment.scenario_id else None

    reviews = service.reviews_of(session, audit.id or 0)
    history = []
    for review in reviews:
        reviewer = session.get(User, review.reviewer_id)
        name = (reviewer.name or reviewer.email) if reviewer else "?"
        history.append(HistoryEntry(review=review, reviewer=name,
                                    comments=service.comments_of(session, review)))
    previous = reviews[-1] if reviews and audit.submission_count > reviews[-1].submission_number else None
    changed_since = previous.created_at if previous else None
    previous_comments = history[-1].comments if previous and previous.decision == "return" else {}
    before = service.returned_answers(session, audit, previous) if previous else {}

    answers = {a.item_id: a for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()}
    evidence = list(session.exec(select(Evidence).where(Evidence.audit_id == audit.id)
                                 .order_by(col(Evidence.created_at), col(Evidence.id))).all())
    options = {(o.item_id, o.key): o for rows in content.options.values() for o in rows}
    evidence_by_item: dict[int | None, list[Evidence]] = {}
    for file in evidence:
        evidence_by_item.setdefault(file.item_id, []).append(file)

    by_touchpoint: dict[int, list[ItemRow]] = {}
    changed_count = 0
    for item in content.items:
        answer = answers.get(item.id or 0)
        item_evidence = evidence_by_item.get(item.id, [])
        changed = changed_since is not None and (
            (answer is not None and answer.updated_at > changed_since)
            or any(e.created_at > changed_since for e in item_evidence))
        changed_count += changed
        was = before.get(item.key)
        previous_answer = Answer(audit_id=audit.id or 0, item_id=item.id or 0, value_num=was[0],
                                 value_text=was[1], na=bool(was[2])) if was else None
        by_touchpoint.setdefault(item.touchpoint_id, []).append(ItemRow(
            item=item, answer=answer, shown=shown_value(item, answer, options), evidence=item_evidence,
            changed=changed, previous_comment=previous_comments.get(item.key),
            previous_shown=(shown_value(item, previous_answer, options) or gettext("no answer"))
            if changed and before else None))
    blocks = [TouchpointBlock(touchpoint=tp, rows=by_touchpoint.get(tp.id or 0, []))
              for tp in content.touchpoints]

    return ReviewScreen(audit=audit, clinic=clinic, wave=wave, shopper=shopper, assignment=assignment,
                        scenario=scenario, version=version, slug=content.slug,
                        touchpoints=blocks, audit_evidence=[e for e in evidence if e.item_id is None],
                        history=history, hours_to_submit=hours_to_submit(audit),
                        checkin_distance_m=checkin_distance_m(audit, clinic), changed_since=changed_since,
                        changed_count=changed_count)
