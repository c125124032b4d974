"""The verdict: the wave's rules applied to the audit's facts (docs/validity.md, "Verdict").

valid: no rule crossed; doubtful: only doubtful ones; invalid: at least one rule set to invalid.
Reasons are stored as {code, severity, params} and worded in the reader's language when shown.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db_types import utcnow
from app.fieldwork.models import Audit
from app.validity import wording
from app.validity.facts import AuditFacts, gather_facts
from app.validity.models import AuditValidity, Verdict
from app.validity.rules import RuleSet, Severity, rules_for


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    message: str
    evidence_id: int | None = None  # the photo it is about, when it is about one


@dataclass(frozen=True)
class ValidityView:
    """The verdict as QA reads it: reasons worded, facts as stored (JSON)."""

    audit_id: int
    verdict: str
    reasons: list[Reason]
    facts: dict[str, Any]
    computed_at: datetime
    submission_number: int


def judge(facts: AuditFacts, rules: RuleSet) -> list[dict[str, Any]]:
    """Every rule the facts cross, as {code, severity, params}, in the order QA reads a visit."""
    found: list[dict[str, Any]] = []

    def add(severity: Severity, code: str, **params: Any) -> None:
        if severity != Severity.off:
            found.append({"code": code, "severity": severity.value, "params": params})

    visit = facts.visit
    if visit.days_outside is not None and visit.days_outside > rules.window_grace_days:
        before = visit.before_window
        add(rules.window, "visit_before_window" if before else "visit_after_window", days=visit.days_outside)
    checkin = facts.checkin
    if checkin.distance_m is not None \
            and checkin.distance_m - (checkin.accuracy_m or 0.0) > rules.checkin_max_m:
        add(rules.checkin, "checkin_far", metres=round(checkin.distance_m))
    for photo in facts.photos:
        if photo.at_clinic and photo.distance_m is not None and photo.distance_m > rules.photo_max_m:
            add(rules.photo_distance, "photo_far", metres=round(photo.distance_m), item=photo.item_key,
                evidence=photo.evidence_id)
        # A camera clock without its zone may be off by up to 14 hours.
        allowed = rules.photo_hours + (0 if photo.taken_at_zoned else 14)
        if photo.at_clinic and photo.hours_from_visit is not None and photo.hours_from_visit > allowed:
            before = photo.taken_at is not None and visit.started_at is not None and photo.taken_at < visit.started_at
            add(rules.photo_time, "photo_before_visit" if before else "photo_after_visit",
                hours=round(photo.hours_from_visit, 1), item=photo.item_key, evidence=photo.evidence_id)
        for twin in photo.duplicates:
            if twin.scope == "same_audit" and twin.evidence_id < photo.evidence_id:  # each pair once
                add(rules.duplicate_in_audit, "photo_repeated", item=photo.item_key, evidence=photo.evidence_id)
    elsewhere: dict[int, list[int]] = {}
    for photo in facts.photos:
        for twin in photo.duplicates:
            if twin.scope != "same_audit":
                elsewhere.setdefault(twin.audit_id, []).append(twin.bits)
    for audit_id, bits in sorted(elsewhere.items()):
        add(rules.duplicate_elsewhere, "photo_identical" if min(bits) == 0 else "photo_similar",
            audit=audit_id, count=len(bits))
    for recording in facts.recordings:
        if recording.duration_s is not None and recording.timing_s is not None \
                and recording.duration_s + rules.recording_tolerance_s < recording.timing_s:
            add(rules.recording, "recording_short", seconds=round(recording.duration_s),
                timing=round(recording.timing_s), item=recording.timing_item)
    submission = facts.submission
    if submission.delay_hours is not None and submission.delay_hours > rules.submit_delay_days * 24:
        add(rules.submit_delay, "submitted_late", days=int(submission.delay_hours // 24))
    if submission.fill_minutes is not None and submission.timed_answers >= rules.min_fill_answers \
            and submission.fill_minutes < rules.min_fill_minutes:
        add(rules.fill_speed, "filled_fast", answers=submission.timed_answers,
            minutes=round(submission.fill_minutes, 1))
    return found


def verdict_of_reasons(reasons: list[dict[str, Any]]) -> Verdict:
    severities = {reason["severity"] for reason in reasons}
    if Severity.invalid in severities:
        return Verdict.invalid
    return Verdict.doubtful if severities else Verdict.valid


def assess_audit(session: Session, *, audit: Audit) -> AuditValidity:
    """Gather the audit's facts, apply its wave's rules and store the verdict (replacing any earlier
    one). Runs at submission; QA may run it again after changing the rules."""
    rules = rules_for(session, audit.wave_id)
    facts = gather_facts(session, audit, near_bits=rules.near_duplicate_bits)
    reasons = judge(facts, rules)
    stored = _stored(session, audit)
    row = stored or AuditValidity(audit_id=audit.id or 0)
    row.verdict = verdict_of_reasons(reasons).value
    row.reasons, row.facts = reasons, facts.as_json()
    row.submission_number, row.computed_at = audit.submission_count, utcnow()
    if stored is not None:
        session.add(row)
        session.flush()
        return row
    try:
        with session.begin_nested():  # two reviewers opening an unchecked audit at once: one row wins
            session.add(row)
    except IntegrityError:
        winner = _stored(session, audit)
        assert winner is not None
        return winner
    return row


def _stored(session: Session, audit: Audit) -> AuditValidity | None:
    return session.exec(select(AuditValidity).where(AuditValidity.audit_id == audit.id)).first()


def current_validity(session: Session, *, audit: Audit) -> AuditValidity:
    """The verdict for the audit's latest submission: the stored one, or assessed now (an audit
    submitted before validity existed, or resubmitted without a new assessment)."""
    row = _stored(session, audit)
    if row is None or row.submission_number != audit.submission_count:
        row = assess_audit(session, audit=audit)
    return row


def view_of(row: AuditValidity) -> ValidityView:
    """The stored verdict with its reasons worded in the current language."""
    return ValidityView(audit_id=row.audit_id, verdict=row.verdict,
                        reasons=[Reason(r["code"], r["severity"], wording.reason_message(r),
                                        (r.get("params") or {}).get("evidence")) for r in row.reasons],
                        facts=row.facts, computed_at=row.computed_at, submission_number=row.submission_number)


def needs_note(row: AuditValidity) -> bool:
    """Approving this audit needs a note from the reviewer."""
    return row.verdict in (Verdict.doubtful, Verdict.invalid)
