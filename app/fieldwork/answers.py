"""Recording answers: one row per audit and item, saved on every change, safe to repeat.

A resend with the same client change id does nothing. Which of two edits is newer: from the device
that made the stored answer, the one with the higher running number (the phone's clock may have
been corrected in between); from another device, the later by the clocks. An edit that is not
newer is not applied and comes back as a conflict, never as saved. Two simultaneous first saves of
one item leave one row.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.checklists.content import content_of
from app.checklists.models import Item
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.audits import lock_editable, touch
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
    client_device_id: str | None = None
    client_seq: int | None = None


@dataclass(frozen=True)
class Saved:
    """An answer as it is stored after a change; applied is False when the stored one was newer."""

    item_key: str
    answer: Answer
    applied: bool


MAX_SEQ = 2**31 - 1  # a phone's running number of changes; far beyond any real count
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def origin_problem(device_id: str | None, seq: int | None) -> str | None:
    """Why a change's device id and running number are not acceptable (both or neither), or None."""
    if device_id is None and seq is None:
        return None
    if device_id is None or not DEVICE_ID.fullmatch(device_id):
        return gettext(N_("The device id must be 8 to 64 letters, digits, \"-\" or \"_\"."))
    if seq is None or not 1 <= seq <= MAX_SEQ:
        return gettext(N_("The change number must be a whole number from 1 to {max}.")).format(max=MAX_SEQ)
    return None


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
    """Save one answer, replacing any earlier one for the item; the stored answer after it.

    Raises AuditNotEditable (409) unless the audit is draft or returned; Invalid (422, detail
    [{"item", "message"}]) for an unknown item or a value the item's type does not accept.
    """
    (saved,) = record_answers(session, audit=audit, answers=[AnswerInput(
        item_key, value, na, comment, client_change_id, client_changed_at)])
    return saved.answer


def record_answers(session: Session, *, audit: Audit, answers: list[AnswerInput]) -> list[Saved]:
    """Validate every answer first, then save them all; one bad answer saves none and Invalid lists
    each bad one as {"item", "message"}. Each result says whether the change was applied or the
    stored answer was newer (a conflict to show). Raises AuditNotEditable (409) after submit.

    The audit row is locked first (docs/design.md §7): a submit running at the same time either
    sees these answers or makes this call refuse them, never acknowledges them after the fact.
    """
    lock_editable(session, audit)
    content = content_of(session, audit.checklist_version_id)
    items = content.by_key
    problems: list[dict[str, str]] = []
    parsed: list[tuple[Item, Parsed, AnswerInput]] = []
    for entry in answers:
        item = items.get(entry.item_key)
        if item is None:
            problems.append({"item": entry.item_key, "message": gettext(N_("There is no such question."))})
            continue
        origin = origin_problem(entry.client_device_id, entry.client_seq)
        if origin:
            problems.append({"item": entry.item_key, "message": origin})
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


def _store(session: Session, audit: Audit, item: Item, values: Parsed, entry: AnswerInput) -> Saved:
    existing = _find(session, audit.id or 0, item.id or 0)
    if existing is None:
        try:
            with session.begin_nested():  # a simultaneous first save of the same item may win the insert
                answer = Answer(audit_id=audit.id or 0, item_id=item.id or 0)
                _apply(answer, values, entry)
                session.add(answer)
            return Saved(item.key, answer, applied=True)
        except IntegrityError:
            existing = _find(session, audit.id or 0, item.id or 0)
            assert existing is not None
    if entry.client_change_id and existing.client_change_id == entry.client_change_id[:64]:
        return Saved(item.key, existing, applied=True)  # a resend of a change already applied
    if not is_newer(entry, existing):
        return Saved(item.key, existing, applied=False)
    _apply(existing, values, entry)
    existing.updated_at = utcnow()
    session.add(existing)
    return Saved(item.key, existing, applied=True)


def is_newer(entry: AnswerInput, stored: Answer) -> bool:
    """Whether the change is newer than the stored answer: by the running number when the same device
    made both (its clock is ignored: it may have been set back in between), by the clocks otherwise.
    A change without a clock is a live save from the page and newer than anything stored."""
    if entry.client_device_id and entry.client_device_id == stored.client_device_id \
            and entry.client_seq is not None and stored.client_seq is not None:
        return entry.client_seq > stored.client_seq
    changed_at = _aware(entry.client_changed_at)
    return not (changed_at and stored.client_changed_at and changed_at < stored.client_changed_at)


def _find(session: Session, audit_id: int, item_id: int) -> Answer | None:
    return session.exec(select(Answer).where(Answer.audit_id == audit_id, Answer.item_id == item_id)
                        .execution_options(populate_existing=True)).first()


def _apply(answer: Answer, values: Parsed, entry: AnswerInput) -> None:
    answer.value_num, answer.value_text = values.value_num, values.value_text
    answer.na, answer.comment = values.na, values.comment
    answer.client_change_id = entry.client_change_id[:64] if entry.client_change_id else None
    answer.client_changed_at = _aware(entry.client_changed_at)
    answer.client_device_id, answer.client_seq = entry.client_device_id, entry.client_seq


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
