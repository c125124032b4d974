"""Recording answers: one row per audit and item, saved on every change, safe to repeat.

A resend with the same client change id does nothing; an edit made earlier by the shopper's clock
than the stored one never overwrites it; two simultaneous first saves of one item leave one row.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.checklists.content import content_of
from app.checklists.models import Item
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.audits import ensure_editable, touch
from app.fieldwork.models import Answer, Audit
from app.fieldwork.rules import BadAnswer, Parsed, parse_answer
from app.i18n import N_, gettext


@dataclass(frozen=True)
class AnswerInput:
    item_key: str
    value: Any = None
    na: bool = False
    comment: str | None = None
    client_change_id: str | None = None
    client_changed_at: datetime | None = None


def items_by_key(session: Session, audit: Audit) -> dict[str, Item]:
    """The audit's checklist items by key, in journey order."""
    return dict(content_of(session, audit.checklist_version_id).by_key)


def answers_of(session: Session, audit: Audit) -> dict[int, Answer]:
    """The audit's answers by item id."""
    return {a.item_id: a for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()}


def answer_of(session: Session, *, audit: Audit, item: Item) -> Answer | None:
    """The audit's stored answer to the item, if any."""
    return _find(session, audit.id or 0, item.id or 0)


def record_answer(session: Session, *, audit: Audit, item_key: str, value: Any, na: bool = False,
                  comment: str | None = None, client_change_id: str | None = None,
                  client_changed_at: datetime | None = None) -> Answer:
    """Save one answer, replacing any earlier one for the item.

    Raises AuditNotEditable (409) unless the audit is draft or returned; Invalid (422, detail
    [{"item", "message"}]) for an unknown item or a value the item's type does not accept.
    """
    (answer,) = record_answers(session, audit=audit, answers=[AnswerInput(
        item_key, value, na, comment, client_change_id, client_changed_at)])
    return answer


def record_answers(session: Session, *, audit: Audit, answers: list[AnswerInput]) -> list[Answer]:
    """Validate every answer first, then save them all; one bad answer saves none and Invalid lists
    each bad one as {"item", "message"}. Raises AuditNotEditable (409) after submit."""
    ensure_editable(audit)
    content = content_of(session, audit.checklist_version_id)
    items = content.by_key
    problems: list[dict[str, str]] = []
    parsed: list[tuple[Item, Parsed, AnswerInput]] = []
    for entry in answers:
        item = items.get(entry.item_key)
        if item is None:
            problems.append({"item": entry.item_key, "message": gettext(N_("There is no such question."))})
            continue
        try:
            option_keys = [o.key for o in content.options.get(item.id or 0, ())]
            parsed.append((item, parse_answer(item, option_keys, entry.value, na=entry.na, comment=entry.comment),
                           entry))
        except BadAnswer as bad:
            problems.append({"item": entry.item_key, "message": bad.text()})
    if problems:
        raise Invalid(N_("Some answers are not valid: {items}."), detail=problems,
                      items=", ".join(p["item"] for p in problems))
    saved = [_store(session, audit, item, values, entry) for item, values, entry in parsed]
    touch(audit)
    session.add(audit)
    session.flush()
    return saved


def _store(session: Session, audit: Audit, item: Item, values: Parsed, entry: AnswerInput) -> Answer:
    changed_at = _aware(entry.client_changed_at)
    existing = _find(session, audit.id or 0, item.id or 0)
    if existing is None:
        try:
            with session.begin_nested():  # a simultaneous first save of the same item may win the insert
                answer = Answer(audit_id=audit.id or 0, item_id=item.id or 0)
                _apply(answer, values, entry.client_change_id, changed_at)
                session.add(answer)
            return answer
        except IntegrityError:
            existing = _find(session, audit.id or 0, item.id or 0)
            assert existing is not None
    if entry.client_change_id and existing.client_change_id == entry.client_change_id:
        return existing  # a resend of a change already applied
    if changed_at and existing.client_changed_at and changed_at < existing.client_changed_at:
        return existing  # an older edit by the shopper's clock arrived late
    _apply(existing, values, entry.client_change_id, changed_at)
    existing.updated_at = utcnow()
    session.add(existing)
    return existing


def _find(session: Session, audit_id: int, item_id: int) -> Answer | None:
    return session.exec(select(Answer).where(Answer.audit_id == audit_id, Answer.item_id == item_id)
                        .execution_options(populate_existing=True)).first()


def _apply(answer: Answer, values: Parsed, change_id: str | None, changed_at: datetime | None) -> None:
    answer.value_num, answer.value_text = values.value_num, values.value_text
    answer.na, answer.comment = values.na, values.comment
    answer.client_change_id = change_id[:64] if change_id else None
    answer.client_changed_at = changed_at


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
