"""Everything the review screen shows about one audit: answers by touchpoint with their evidence,
timings, the check-in distance, the scenario, the decision history and what changed since the
previous submission."""

import math
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists.content import content_of
from app.checklists.models import ChecklistVersion, Item, ItemOption, Touchpoint
from app.checklists.schema import ItemType
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Answer, Assignment, Audit, Evidence, Review, Scenario, Wave
from app.fieldwork.rules import is_failing
from app.i18n import gettext, localized
from app.review import service
from app.web import labels

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
    """The answer as a reviewer reads it: words, never a stored code."""
    if answer is None:
        return ""
    if answer.na:
        return gettext("N/A")
    if item.type == ItemType.yes_no and answer.value_num is not None:
        return gettext("Yes") if answer.value_num >= 1 else gettext("No")
    if item.type == ItemType.choice and answer.value_text is not None:
        option = options.get((item.id or 0, answer.value_text))
        return localized(option.text) if option else answer.value_text
    if item.type == ItemType.emotion and answer.value_num is not None:
        return labels.emotion(answer.value_num)
    if item.type == ItemType.scale and answer.value_num is not None:
        return f"{answer.value_num:g} / {item.scale_max or 5}"
    if answer.value_num is not None:
        number = f"{answer.value_num:g}"
        return f"{number} {labels.unit(item.unit)}" if item.unit else number
    return answer.value_text or ""


def verdict(item: Item, answer: Answer | None, options: dict[tuple[int, str], ItemOption]) -> str | None:
    """"pass", "partial" or "fail" by the item's score (docs/design.md §5); None for unscored types, N/A and
    no answer, which count neither way."""
    if answer is None or answer.na:
        return None
    num, text = answer.value_num, answer.value_text
    score: float | None = None
    if item.type == ItemType.yes_no and num is not None:
        score = num
    elif item.type == ItemType.scale and num is not None:
        low, high = item.scale_min or 1, item.scale_max or 5
        score = (num - low) / (high - low) if high > low else 1.0
    elif item.type == ItemType.number and num is not None:
        score = 0.0 if is_failing(item, num, text, False, {}) else 1.0
    elif item.type == ItemType.choice and text is not None:
        option = options.get((item.id or 0, text))
        score = option.score if option else None
    if score is None:
        return None
    return "pass" if score >= 1 else ("fail" if score <= 0 else "partial")


@dataclass
class ItemRow:
    item: Item
    touchpoint: Touchpoint
    answer: Answer | None
    shown: str
    evidence: list[Evidence]
    changed: bool  # answered or changed since the previous decision (a resubmission)
    previous_comment: str | None  # what QA wrote on this item at the previous return
    previous_shown: str | None = None  # a changed item's answer as it was at that return
    verdict: str | None = None  # pass | partial | fail | None (not scored)

    @property
    def critical_failure(self) -> bool:
        return self.item.critical and self.verdict in {"fail", "partial"}

    @property
    def needs_decision(self) -> bool:
        """What QA must look at before deciding: failures, critical items not passed, evidence to
        judge, answers changed since the last return and items QA commented on then."""
        return (self.verdict == "fail" or self.critical_failure or self.changed or bool(self.evidence)
                or bool(self.previous_comment))


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

    @property
    def rows(self) -> list[ItemRow]:
        return [row for block in self.touchpoints for row in block.rows]

    @property
    def zone(self) -> ZoneInfo:
        """Visit times are read on the clinic's clock (docs/design.md §3)."""
        return time_zones.zone_of(self.clinic)

    @property
    def to_decide(self) -> list[ItemRow]:
        """The lead of the screen, in checklist order."""
        return [row for row in self.rows if row.needs_decision]

    @property
    def the_rest(self) -> list[TouchpointBlock]:
        """Every other item by touchpoint, folded below the lead."""
        blocks = [TouchpointBlock(block.touchpoint, [row for row in block.rows if not row.needs_decision])
                  for block in self.touchpoints]
        return [block for block in blocks if block.rows]

    @property
    def item_texts(self) -> dict[str, str]:
        """Item key -> question, so the history names items as the checklist asks them."""
        return {row.item.key: localized(row.item.text) for row in self.rows}

    @property
    def failed_count(self) -> int:
        return sum(row.verdict == "fail" for row in self.rows)

    @property
    def critical_count(self) -> int:
        return sum(row.critical_failure for row in self.rows)

    @property
    def evidence_count(self) -> int:
        return sum(len(row.evidence) for row in self.rows) + len(self.audit_evidence)

    @property
    def answered_count(self) -> int:
        return sum(row.answer is not None or bool(row.evidence) for row in self.rows)


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

    touchpoint_by_id = {tp.id: tp for tp in content.touchpoints}
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
            item=item, touchpoint=touchpoint_by_id[item.touchpoint_id], answer=answer,
            shown=shown_value(item, answer, options), evidence=item_evidence,
            changed=changed, previous_comment=previous_comments.get(item.key),
            previous_shown=(shown_value(item, previous_answer, options) or gettext("no answer"))
            if changed and before else None, verdict=verdict(item, answer, options)))
    blocks = [TouchpointBlock(touchpoint=tp, rows=by_touchpoint.get(tp.id or 0, []))
              for tp in content.touchpoints]

    return ReviewScreen(audit=audit, clinic=clinic, wave=wave, shopper=shopper, assignment=assignment,
                        scenario=scenario, version=version, slug=content.slug,
                        touchpoints=blocks, audit_evidence=[e for e in evidence if e.item_id is None],
                        history=history, hours_to_submit=hours_to_submit(audit),
                        checkin_distance_m=checkin_distance_m(audit, clinic), changed_since=changed_since,
                        changed_count=changed_count)
