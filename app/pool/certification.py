"""Certification for a checklist: a QA lead certifies a shopper, or the shopper passes a short quiz
built from the checklist's own items (for each of a few questions: in which part of the visit is
this checked?). All answers right certifies; the questions stay the same for a shopper and a
version, so a retry is a second look at the same checklist, not a new lottery."""

import random
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.checklists import versions as checklists
from app.checklists.models import Checklist
from app.errors import Invalid, NotFound
from app.i18n import N_
from app.pool.models import Certification
from app.trail import service as trail

QUESTIONS = 3


class QuizFailed(Invalid):
    message = N_("{right} of {total} answers were right: look at the checklist again and retry.")


class NotAShopper(Invalid):
    message = N_("Only an active shopper can be certified.")


@dataclass(frozen=True)
class Question:
    item_key: str
    text: dict[str, str]
    options: list[tuple[str, dict[str, str]]]  # (touchpoint key, title)
    answer: str  # the touchpoint key


def get_checklist(session: Session, slug: str) -> Checklist:
    checklist = session.exec(select(Checklist).where(Checklist.slug == slug)).first()
    if checklist is None:
        raise NotFound()
    return checklist


def quiz(session: Session, *, shopper: User, checklist: Checklist) -> list[Question]:
    """The shopper's questions on the checklist's latest version (ChecklistNotFound if none)."""
    version = checklists.latest_version(session, checklist.slug)
    touchpoints = checklists.touchpoints_of(session, version.id or 0)
    keys = {tp.id: tp.key for tp in touchpoints}
    options = [(tp.key, tp.title) for tp in touchpoints]
    items = checklists.items_of(session, version.id or 0)
    chosen = random.Random(f"{shopper.id}:{version.id}").sample(items, min(QUESTIONS, len(items)))
    return [Question(item.key, item.text, options, keys[item.touchpoint_id]) for item in chosen]


def take_quiz(session: Session, *, shopper: User, checklist: Checklist, answers: dict[str, str]) -> Certification:
    """Grade the answers ({item key: touchpoint key}); all right certifies. Raises QuizFailed."""
    questions = quiz(session, shopper=shopper, checklist=checklist)
    right = sum(answers.get(q.item_key) == q.answer for q in questions)
    trail.record(session, actor=shopper, verb="certification.quiz", entity="checklist", entity_id=checklist.id,
                 right=right, total=len(questions))
    if right < len(questions):
        raise QuizFailed(right=right, total=len(questions))
    return _certify(session, shopper=shopper, checklist=checklist, method="quiz", actor=None)


def certify(session: Session, *, shopper: User, checklist: Checklist, actor: User) -> Certification:
    """A QA lead certifies the shopper. Raises NotAShopper."""
    return _certify(session, shopper=shopper, checklist=checklist, method="qa", actor=actor)


def _certify(session: Session, *, shopper: User, checklist: Checklist, method: str,
             actor: User | None) -> Certification:
    if shopper.role != Role.shopper or not shopper.active:
        raise NotAShopper()
    existing = session.get(Certification, (shopper.id, checklist.id))
    if existing is not None:
        return existing
    row = Certification(shopper_id=shopper.id or 0, checklist_id=checklist.id or 0, method=method,
                        certified_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    trail.record(session, actor=actor or shopper, verb="certification.grant", entity="checklist",
                 entity_id=checklist.id, shopper_id=shopper.id, method=method)
    return row


def certified_checklists(session: Session, shopper: User) -> set[int]:
    return set(session.exec(select(Certification.checklist_id).where(Certification.shopper_id == shopper.id)).all())


RECENT_CERTIFICATIONS = 50


def certifications(session: Session) -> list[tuple[Certification, User, Checklist]]:
    """The newest certifications with their shopper and checklist, for QA: what was just done, not
    every shopper the network ever certified."""
    query = (select(Certification, User, Checklist)  # type: ignore[call-overload]
             .join(User, col(User.id) == Certification.shopper_id)
             .join(Checklist, col(Checklist.id) == Certification.checklist_id)
             .order_by(col(Certification.created_at).desc(), col(Checklist.slug), col(User.email))
             .limit(RECENT_CERTIFICATIONS))
    return list(session.exec(query).all())
