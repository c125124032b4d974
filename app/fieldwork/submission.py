"""Completeness and submit: what is still missing, and the one atomic submission.

Missing: a required item unanswered (N/A counts where allowed), a required photo absent (always, or
when the answer fails), a comment the failing answer requires. Submit happens once: a conditional
UPDATE moves draft/returned to submitted, so parallel submits give one submission.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.checklists.content import content_of
from app.checklists.models import Item
from app.checklists.schema import ItemType
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.audits import EDITABLE, lock
from app.fieldwork.models import Answer, Audit, AuditStatus, Evidence
from app.fieldwork.rules import is_answered, is_failing
from app.i18n import N_, gettext
from app.money import ledger as money_ledger
from app.trail import service as trail
from app.validity import verdict as validity


@dataclass(frozen=True)
class Gap:
    item_key: str
    touchpoint_key: str
    message: str
    question: dict[str, str] | None = None  # the item's text, as the shopper reads it


@dataclass(frozen=True)
class ItemState:
    answered: bool
    failing: bool
    photos: int
    gaps: tuple[str, ...]  # translated messages


def option_scores(session: Session, version_id: int) -> dict[int, dict[str, float]]:
    """Option key -> score per choice item of the version (read once per process)."""
    return {item_id: dict(scores) for item_id, scores in content_of(session, version_id).scores.items()}


def evidence_counts(session: Session, audit_id: int) -> dict[int | None, int]:
    """Files per item id (None: attached to the audit)."""
    query = (select(Evidence.item_id, func.count()).where(Evidence.audit_id == audit_id)
             .group_by(col(Evidence.item_id)))
    return {item_id: count for item_id, count in session.exec(query).all()}


def item_state(item: Item, answer: Answer | None, photos: int, scores: Mapping[str, float]) -> ItemState:
    """Whether an item is answered, fails, and what it still lacks before submit."""
    num, text, na = (answer.value_num, answer.value_text, answer.na) if answer else (None, None, False)
    answered = is_answered(item, num, text, na) or (item.type == ItemType.evidence and photos > 0)
    failing = is_failing(item, num, text, na, scores)
    gaps: list[str] = []
    if item.required and not answered:
        gaps.append(gettext(N_("Add a photo or recording.") if item.type == ItemType.evidence
                            else N_("Not answered yet.")))
    photo_needed = item.photo == "required" or (item.photo == "required_on_fail" and failing)
    if photo_needed and not na and photos == 0 and item.type != ItemType.evidence:
        gaps.append(gettext(N_("A photo is required.") if item.photo == "required"
                            else N_("A photo is required for this answer.")))
    if failing and item.comment == "required_on_fail" and not (answer and answer.comment):
        gaps.append(gettext(N_("Explain this answer in a comment.")))
    return ItemState(answered, failing, photos, tuple(gaps))


def item_states(session: Session, audit: Audit) -> dict[int, ItemState]:
    """The state of every item of the audit by item id (two queries, whatever the checklist size)."""
    content = content_of(session, audit.checklist_version_id)
    answers = {a.item_id: a for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()}
    photos = evidence_counts(session, audit.id or 0)
    return {item.id or 0: item_state(item, answers.get(item.id or 0), photos.get(item.id, 0),
                                     content.scores.get(item.id or 0, {})) for item in content.items}


def missing(session: Session, audit: Audit) -> list[Gap]:
    """Everything that stops the audit from being submitted, in journey order."""
    content = content_of(session, audit.checklist_version_id)
    touchpoints = {tp.id: tp.key for tp in content.touchpoints}
    states = item_states(session, audit)
    return [Gap(item.key, touchpoints[item.touchpoint_id], message, item.text)
            for item in content.items for message in states[item.id or 0].gaps]


def submit_audit(session: Session, *, audit: Audit, actor: User | None = None) -> Audit:
    """Submit the audit for QA review, once.

    A draft or returned audit with nothing missing becomes submitted (submission_count + 1). An
    audit already submitted (or decided) is returned as it is: a second tap changes nothing. Raises
    Invalid (422, detail [{"item", "message"}]) listing what is missing. Holds the audit's row lock
    (audits.lock) from the completeness check to the commit: no save slips in between.
    """
    lock(session, audit)
    if audit.status not in EDITABLE:
        return audit
    gaps = missing(session, audit)
    if gaps:
        raise Invalid(N_("The report is not complete yet: {count} things are missing."), count=len(gaps),
                      detail=[{"item": gap.item_key, "touchpoint": gap.touchpoint_key, "message": gap.message}
                              for gap in gaps])
    now = utcnow()
    result = session.execute(
        update(Audit).where(col(Audit.id) == audit.id, col(Audit.status).in_(list(EDITABLE)))
        .values(status=AuditStatus.submitted, submission_count=col(Audit.submission_count) + 1,
                submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:  # type: ignore[attr-defined]
        trail.record(session, actor=actor, verb="audit.submit", entity="audit", entity_id=audit.id,
                     submission=audit.submission_count + 1)
    session.flush()
    session.refresh(audit)
    if result.rowcount == 1:  # type: ignore[attr-defined]
        validity.assess_audit(session, audit=audit)  # QA sees the verdict in the queue at once
        money_ledger.on_submitted(session, audit=audit)  # the shopper sees what the visit will pay
    return audit
