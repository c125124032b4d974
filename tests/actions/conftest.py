"""A small plan world: a clinic with its manager, a QA lead, a checklist without required photos,
and real visits (assign, answer, submit, approve) at a chosen time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.actions import service
from app.actions.models import Action
from app.checklists import versions
from app.checklists.schema import ChecklistDoc
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.fieldwork import answers, assignments, submission, visits, waves
from app.fieldwork.models import Audit, Wave
from app.review import service as review
from tests.checklist_docs import small_checklist
from tests.factories import make_clinic, make_user

SLUG = "plan-clinic"
PASSING: dict[str, Any] = {"call.answer_time": 10, "call.greeting": True, "call.callback": True, "call.mood": 1,
                           "reception.politeness": 5, "reception.wait": "short"}


@dataclass
class World:
    clinic: Clinic
    manager: User
    qa: User
    wave: Wave


def plan_checklist(session: Session) -> None:
    doc = small_checklist(SLUG)
    doc["touchpoints"][1]["items"] = [i for i in doc["touchpoints"][1]["items"] if i["type"] != "evidence"]
    doc["touchpoints"][0]["need"] = {"en": "Book quickly", "ru": "Быстро записаться"}
    versions.save_version(session, ChecklistDoc.model_validate(doc))


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def make_world(session: Session) -> World:
    """A clinic, its manager, a QA lead and a current wave, on the plan checklist."""
    plan_checklist(session)
    clinic = make_clinic(session)
    manager = make_user(session, Role.manager, clinic_id=clinic.id, name="Manager of the clinic")
    qa = make_user(session, Role.qa_lead, name="QA lead")
    today = utcnow().date()
    wave = waves.create_wave(session, name=f"Wave for {clinic.name}", starts_on=today - timedelta(days=60),
                             ends_on=today + timedelta(days=30))
    return World(clinic, manager, qa, wave)


def approved_visit(session: Session, world: World, *, at: datetime, changes: dict[str, Any] | None = None,
                   clinic: Clinic | None = None) -> Audit:
    """A visit made at `at`, answered (passing unless changed), submitted and approved by QA."""
    shopper = make_user(session, Role.shopper)
    assignment = assignments.assign_visit(session, wave=world.wave, clinic=clinic or world.clinic,
                                          checklist_slug=SLUG, scenario=None, shopper=shopper)
    audit = session.exec(select(Audit).where(Audit.assignment_id == assignment.id)).one()
    visits.set_visit_times(session, audit=audit, started_at=at, ended_at=at + timedelta(hours=1), actor=shopper)
    given = {**PASSING, **(changes or {})}
    answers.record_answers(session, audit=audit, answers=[
        answers.AnswerInput(key, value, na=value is NA, comment="seen")
        if value is not NA else answers.AnswerInput(key, None, na=True) for key, value in given.items()])
    submission.submit_audit(session, audit=audit, actor=shopper)
    # A note: visits dated weeks back are submitted late, which makes them doubtful (docs/validity.md).
    review.review_audit(session, audit=audit, reviewer=world.qa, decision="approve", reason="Visit confirmed.")
    return audit


NA = object()


def gap_action(session: Session, world: World, *, items: tuple[str, ...] = ("call.greeting",),
               touchpoint: str | None = None, owner: User | None = None, due_on: date | None = None,
               title: str = "Greet with the clinic's name") -> Action:
    return service.create_action(session, user=world.manager, data=service.ActionInput(
        clinic_id=world.clinic.id or 0, title=title, owner_id=(owner or world.manager).id, due_on=due_on,
        checklist=SLUG, touchpoint=touchpoint, item_keys=items))


def mark_done(session: Session, world: World, action: Action, *, at: datetime) -> Action:
    service.change_action(session, user=world.manager, action=action, status="in_progress", comment="Started",
                          at=at - timedelta(hours=1))
    return service.change_action(session, user=world.manager, action=action, status="done",
                                 comment="Scripts updated", at=at)
