"""A small network for the notification tests: two regions, a branch in each, a director scoped to
each region, a manager per branch, a QA lead, and shoppers who read Russian or English."""

import io
from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.models import Role, User
from app.clinics.models import Clinic
from app.fieldwork import answers, evidence, submission
from app.fieldwork.models import Audit, Wave
from app.review import service as review
from tests.factories import make_clinic, make_region, make_user
from tests.fieldwork.helpers import COMPLETE, make_audit, picture


@dataclass
class Network:
    north: Clinic
    south: Clinic
    shopper: User  # reads Russian
    english_shopper: User
    qa: User
    director_north: User
    director_south: User
    director_all: User
    manager_north: User
    manager_south: User


def build_network(session: Session) -> Network:
    region_n, region_s = make_region(session), make_region(session)
    north = make_clinic(session, name="North branch", region=region_n, address="Tverskaya 1")
    south = make_clinic(session, name="South branch", region=region_s, address="Nevsky 2")
    return Network(
        north=north, south=south,
        shopper=make_user(session, Role.shopper, name="Anna", language="ru"),
        english_shopper=make_user(session, Role.shopper, name="Bob", language="en"),
        qa=make_user(session, Role.qa_lead, language="en"),
        director_north=make_user(session, Role.director, region_ids=[region_n.id], language="en"),
        director_south=make_user(session, Role.director, region_ids=[region_s.id], language="en"),
        director_all=make_user(session, Role.director, whole_network=True, language="en"),
        manager_north=make_user(session, Role.manager, clinic_id=north.id, language="en"),
        manager_south=make_user(session, Role.manager, clinic_id=south.id, language="en"),
    )


def submitted_audit(session: Session, *, shopper: User, clinic: Clinic, greeting: bool = True,
                    wave: Wave | None = None) -> Audit:
    """A complete report (greeting False fails the critical item), submitted."""
    audit = make_audit(session, shopper=shopper, clinic=clinic, wave=wave)
    answers.record_answers(session, audit=audit, answers=[
        answers.AnswerInput(key, greeting if key == "call.greeting" else value,
                            comment="no greeting" if key == "call.greeting" and not greeting else None)
        for key, value in COMPLETE.items()])
    evidence.add_evidence(session, audit=audit, upload=io.BytesIO(picture()), item_key="reception.photo",
                          actor=shopper)
    submission.submit_audit(session, audit=audit, actor=shopper)
    return audit


def approve(session: Session, audit: Audit, qa: User) -> None:
    review.review_audit(session, audit=audit, reviewer=qa, decision="approve")


def complete_with(session: Session, audit: Audit, shopper: User, values: dict[str, object]) -> Audit:
    """Answer everything (COMPLETE with `values` over it), attach the photo, submit."""
    answers.record_answers(session, audit=audit, answers=[answers.AnswerInput(key, value)
                                                          for key, value in {**COMPLETE, **values}.items()])
    evidence.add_evidence(session, audit=audit, upload=io.BytesIO(picture()), item_key="reception.photo",
                          actor=shopper)
    submission.submit_audit(session, audit=audit, actor=shopper)
    return audit
