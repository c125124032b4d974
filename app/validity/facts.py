"""The facts gathered about one audit, each with its source (docs/validity.md, "Facts").

Facts are measurements, not judgements: rules.py and verdict.py decide what they mean. Every
fact can be unknown (None): a missing check-in or a photo without EXIF is not held against anyone.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from app.checklists import versions as checklists
from app.checklists.models import Item
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.fieldwork.models import Answer, Assignment, Audit, Evidence
from app.fieldwork.visits import distance_to_clinic
from app.validity.models import EvidenceFacts

# Touchpoints away from the clinic: their photos are screenshots, taken elsewhere and at other times.
REMOTE_CHANNELS = {"phone", "site", "messenger", "email"}
TIMING_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0}
HASH_BITS = 64


@dataclass
class VisitFacts:
    """Source: the assignment's visit window and the visit times the shopper gave."""

    window_start: date | None
    window_end: date | None
    started_at: datetime | None
    ended_at: datetime | None
    days_outside: int | None  # 0 inside the window; None without a visit time or a window
    before_window: bool = False  # outside it on the early side


@dataclass
class CheckinFacts:
    """Source: the phone's location at check-in, compared with the clinic's coordinates."""

    at: datetime | None
    distance_m: float | None
    accuracy_m: float | None


@dataclass
class Duplicate:
    evidence_id: int
    audit_id: int
    bits: int  # of 64 hash bits that differ; 0 = the same picture
    scope: str  # same_audit | own_audit | other_shopper


@dataclass
class PhotoFacts:
    """Source: the photo's EXIF read at upload (time, distance), its perceptual hash."""

    evidence_id: int
    item_key: str | None
    at_clinic: bool
    taken_at: datetime | None
    taken_at_zoned: bool
    has_location: bool
    distance_m: float | None
    hours_from_visit: float | None  # 0 within the visit; how far before its start or after its end
    duplicates: list[Duplicate] = field(default_factory=list)


@dataclass
class RecordingFacts:
    """Source: the recording's own header (duration) and the timing answers of its touchpoint."""

    evidence_id: int
    item_key: str | None
    duration_s: float | None
    timing_item: str | None
    timing_s: float | None


@dataclass
class SubmissionFacts:
    """Source: the visit times, the submission time and the phone's timestamp of each answer."""

    submitted_at: datetime | None
    delay_hours: float | None
    answers: int
    timed_answers: int  # answers that carry the phone's clock
    fill_minutes: float | None  # from the first to the last timed answer


@dataclass
class AuditFacts:
    visit: VisitFacts
    checkin: CheckinFacts
    photos: list[PhotoFacts]
    recordings: list[RecordingFacts]
    submission: SubmissionFacts

    def as_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def gather_facts(session: Session, audit: Audit, *, near_bits: int) -> AuditFacts:
    """Every fact about the audit. Photos whose hashes differ in at most `near_bits` bits count as
    duplicates (within the audit, the shopper's other audits, other shoppers' audits of the clinic)."""
    assignment = session.get(Assignment, audit.assignment_id)
    clinic = session.get(Clinic, audit.clinic_id)
    items = {item.id: item for item in checklists.items_of(session, audit.checklist_version_id)}
    remote = {tp.id for tp in checklists.touchpoints_of(session, audit.checklist_version_id)
              if tp.channel in REMOTE_CHANNELS}
    rows = session.exec(select(Evidence, EvidenceFacts)
                        .join(EvidenceFacts, col(EvidenceFacts.evidence_id) == Evidence.id)
                        .where(Evidence.audit_id == audit.id).order_by(col(Evidence.id))).all()
    answers = list(session.exec(select(Answer).where(Answer.audit_id == audit.id)).all())
    matches = _duplicates(session, audit, [facts for evidence, facts in rows if evidence.kind == "photo"],
                          near_bits)

    photos = []
    recordings = []
    for evidence, facts in rows:
        item = items.get(evidence.item_id)
        if evidence.kind == "photo":
            at_clinic = item is None or item.touchpoint_id not in remote
            photos.append(PhotoFacts(
                evidence_id=evidence.id or 0, item_key=item.key if item else None, at_clinic=at_clinic,
                taken_at=facts.taken_at, taken_at_zoned=facts.taken_at_zoned, has_location=facts.has_location,
                distance_m=facts.distance_m, hours_from_visit=_hours_from_visit(audit, facts.taken_at),
                duplicates=matches.get(evidence.id or 0, [])))
        else:
            timing = _longest_timing(items, answers, item)
            recordings.append(RecordingFacts(
                evidence_id=evidence.id or 0, item_key=item.key if item else None, duration_s=facts.duration_s,
                timing_item=timing[0] if timing else None, timing_s=timing[1] if timing else None))
    return AuditFacts(
        visit=_visit(audit, assignment, clinic),
        checkin=CheckinFacts(at=audit.checkin_at, accuracy_m=audit.checkin_accuracy_m,
                             distance_m=distance_to_clinic(audit, clinic) if clinic else None),
        photos=photos, recordings=recordings, submission=_submission(audit, answers))


def _visit(audit: Audit, assignment: Assignment | None, clinic: Clinic | None) -> VisitFacts:
    """The window's days are the clinic's (its time zone), so the visit is placed on the clinic's day."""
    start, end = (assignment.window_start, assignment.window_end) if assignment else (None, None)
    day = time_zones.local_date(audit.visit_started_at or audit.visit_ended_at, clinic)
    days = None
    if day is not None and (start or end):
        days = 0
        if start and day < start:
            days = (start - day).days
        if end and day > end:
            days = (day - end).days
    return VisitFacts(window_start=start, window_end=end, started_at=audit.visit_started_at,
                      ended_at=audit.visit_ended_at, days_outside=days,
                      before_window=bool(start and day is not None and day < start))


def _hours_from_visit(audit: Audit, taken_at: datetime | None) -> float | None:
    start = audit.visit_started_at or audit.visit_ended_at
    end = audit.visit_ended_at or audit.visit_started_at
    if taken_at is None or start is None or end is None:
        return None
    if taken_at < start:
        return (start - taken_at).total_seconds() / 3600
    if taken_at > end:
        return (taken_at - end).total_seconds() / 3600
    return 0.0


def _longest_timing(items: dict[int | None, Item], answers: list[Answer],
                    recording_item: Item | None) -> tuple[str, float] | None:
    """The longest stopwatch answer (in seconds) of the recording's touchpoint."""
    if recording_item is None:
        return None
    best: tuple[str, float] | None = None
    for answer in answers:
        item = items.get(answer.item_id)
        if item is None or item.touchpoint_id != recording_item.touchpoint_id or answer.na \
                or answer.value_num is None or (item.unit or "").lower() not in TIMING_UNITS:
            continue
        seconds = answer.value_num * TIMING_UNITS[(item.unit or "").lower()]
        if best is None or seconds > best[1]:
            best = (item.key, seconds)
    return best


def _submission(audit: Audit, answers: list[Answer]) -> SubmissionFacts:
    visit = audit.visit_ended_at or audit.visit_started_at
    delay = (audit.submitted_at - visit).total_seconds() / 3600 if audit.submitted_at and visit else None
    # Only answers stamped with the phone's clock (the form sends it with each change) are timed: an
    # integration that puts all answers at once through the API is not "filling fast".
    stamped = [a.client_changed_at for a in answers if a.client_changed_at is not None]
    fill = max(0.0, (max(stamped) - min(stamped)).total_seconds() / 60) if len(stamped) > 1 else None
    return SubmissionFacts(submitted_at=audit.submitted_at, delay_hours=delay, answers=len(answers),
                           timed_answers=len(stamped), fill_minutes=fill)


def _duplicates(session: Session, audit: Audit, mine: list[EvidenceFacts],
                near_bits: int) -> dict[int, list[Duplicate]]:
    """Near-identical photos per evidence id of this audit. Candidates: photos of this audit, of the
    shopper's other audits and of other shoppers' audits of the same clinic (hashes compared here:
    a Hamming distance is not portable SQL, and the candidate set is one shopper's and one clinic's)."""
    hashed = [f for f in mine if f.phash]
    if not hashed:
        return {}
    candidates = session.exec(
        select(EvidenceFacts.evidence_id, EvidenceFacts.phash, Audit.id, Audit.shopper_id)
        .join(Audit, col(Audit.id) == EvidenceFacts.audit_id)
        .where(col(EvidenceFacts.phash).is_not(None),
               or_(col(Audit.shopper_id) == audit.shopper_id, col(Audit.clinic_id) == audit.clinic_id))
        .order_by(col(EvidenceFacts.evidence_id))).all()
    found: dict[int, list[Duplicate]] = {}
    for facts in hashed:
        value = int(facts.phash or "0", 16)
        for evidence_id, phash, audit_id, shopper_id in candidates:
            if evidence_id == facts.evidence_id:
                continue
            bits = (value ^ int(phash or "0", 16)).bit_count()
            if bits > near_bits:
                continue
            scope = ("same_audit" if audit_id == audit.id else
                     "own_audit" if shopper_id == audit.shopper_id else "other_shopper")
            found.setdefault(facts.evidence_id, []).append(
                Duplicate(evidence_id=evidence_id, audit_id=audit_id or 0, bits=bits, scope=scope))
    return found
