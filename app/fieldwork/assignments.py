"""Assignments: who visits which clinic with which checklist and scenario, and when. Each assignment
creates its draft audit, pinned to the checklist's latest version."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from app import events
from app.accounts.models import Role, User
from app.checklists import versions as checklists
from app.clinics.models import Clinic
from app.errors import Invalid, NotFound
from app.fieldwork import waves
from app.fieldwork.models import Answer, Assignment, Audit, AuditStatus, Scenario, Wave
from app.i18n import N_
from app.pool import rules as pool_rules
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page


class ScenarioNotFound(NotFound):
    message = N_("There is no scenario {scenario_id}.")


@dataclass(frozen=True)
class Visit:
    """One assignment with its audit and what a shopper needs to find the place."""

    assignment: Assignment
    audit: Audit
    clinic: Clinic
    wave: Wave
    scenario: Scenario | None


def assign_visit(session: Session, *, wave: Wave, clinic: Clinic, checklist_slug: str,
                 scenario: Scenario | None, shopper: User, window_start: date | None = None,
                 window_end: date | None = None, actor: User | None = None) -> Assignment:
    """Send a shopper to a clinic: an assignment and its draft audit on the checklist's latest version.

    Raises Invalid when the user is not an active shopper, the clinic is inactive or the window ends
    before it starts; RuleRefused (422) when a pool rule refuses it (app.pool.rules); ChecklistNotFound
    for an unknown slug.
    """
    if shopper.role != Role.shopper or not shopper.active:
        raise Invalid(N_("{email} is not an active shopper."), email=shopper.email)
    if not clinic.active:
        raise Invalid(N_("The clinic {name} is not active."), name=clinic.name)
    if window_start and window_end and window_end < window_start:
        raise Invalid(N_("The visit window ends before it starts."))
    version = checklists.latest_version(session, checklist_slug)
    pool_rules.check_visit(session, shopper=shopper, wave=wave, clinic=clinic, checklist_id=version.checklist_id,
                           visit_on=window_start)
    assignment = Assignment(wave_id=wave.id or 0, clinic_id=clinic.id or 0,
                            checklist_version_id=version.id or 0,
                            scenario_id=scenario.id if scenario else None, shopper_id=shopper.id or 0,
                            window_start=window_start, window_end=window_end,
                            created_by_id=actor.id if actor else None)
    session.add(assignment)
    session.flush()
    audit = Audit(assignment_id=assignment.id or 0, wave_id=assignment.wave_id,
                  clinic_id=assignment.clinic_id, checklist_version_id=assignment.checklist_version_id,
                  shopper_id=assignment.shopper_id,
                  status=AuditStatus.draft)
    session.add(audit)
    session.flush()
    trail.record(session, actor=actor, verb="assignment.create", entity="assignment", entity_id=assignment.id,
                 audit_id=audit.id, clinic_id=clinic.id, shopper_id=shopper.id, wave_id=wave.id,
                 checklist=checklist_slug, version=version.version)
    events.publish(session, events.AssignmentMade(assignment_id=assignment.id or 0))
    return assignment


def assign_in_bulk(session: Session, *, wave: Wave, clinics: list[Clinic], shoppers: list[User],
                   checklist_slug: str, scenario: Scenario | None, window_start: date | None = None,
                   window_end: date | None = None, visits_per_clinic: int = 1,
                   actor: User | None = None) -> list[Assignment]:
    """Round-robin the shoppers over the clinics, `visits_per_clinic` visits each. A shopper is never
    sent twice to the same clinic in a wave (earlier assignments of the wave count) unless every
    shopper has already been there. Raises Invalid without clinics or shoppers."""
    if not clinics or not shoppers:
        raise Invalid(N_("Choose at least one clinic and one shopper."))
    if not 1 <= visits_per_clinic <= waves.MAX_VISITS_PER_CLINIC:
        raise Invalid(N_("A clinic gets from 1 to {n} visits."), n=waves.MAX_VISITS_PER_CLINIC)
    taken = {(clinic_id, shopper_id) for clinic_id, shopper_id in session.exec(
        select(Assignment.clinic_id, Assignment.shopper_id)
        .where(Assignment.wave_id == wave.id, col(Assignment.cancelled_at).is_(None))).all()}
    created: list[Assignment] = []
    turn = 0
    for clinic in clinics:
        for _visit in range(visits_per_clinic):
            choice = next((n for n in range(len(shoppers))
                           if (clinic.id, shoppers[(turn + n) % len(shoppers)].id) not in taken), 0)
            shopper = shoppers[(turn + choice) % len(shoppers)]
            turn = (turn + choice + 1) % len(shoppers)
            taken.add((clinic.id or 0, shopper.id or 0))
            created.append(assign_visit(session, wave=wave, clinic=clinic, checklist_slug=checklist_slug,
                                        scenario=scenario, shopper=shopper, window_start=window_start,
                                        window_end=window_end, actor=actor))
    return created


def get_scenario(session: Session, scenario_id: int) -> Scenario:
    """Raises ScenarioNotFound."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise ScenarioNotFound(scenario_id=scenario_id)
    return scenario


# Undated windows last (a sentinel, so the key stays comparable), then creation.
VISIT_ORDER = (SortKey(func.coalesce(col(Assignment.window_end), date.max)), SortKey(col(Assignment.id)))


def _visits_query(shopper: User | None) -> Any:
    query = (select(Assignment, Audit, Clinic, Wave, Scenario)  # type: ignore[call-overload]
             .join(Audit, col(Audit.assignment_id) == Assignment.id)
             .join(Clinic, col(Clinic.id) == Assignment.clinic_id)
             .join(Wave, col(Wave.id) == Assignment.wave_id)
             .outerjoin(Scenario, col(Scenario.id) == Assignment.scenario_id)
             .where(col(Assignment.cancelled_at).is_(None))
             .order_by(*(key.ordered() for key in VISIT_ORDER)))
    if shopper is not None:
        query = query.where(Assignment.shopper_id == shopper.id)
    return query


def visits_page(session: Session, *, page: PageRequest, shopper: User | None = None) -> Page[Visit]:
    """One page of the live (not cancelled) assignments with their audits, a shopper's own or all when
    shopper is None, by visit window, then creation. Raises BadPage for a cursor that is not this list's."""
    found = fetch_page(session, _visits_query(shopper), order=VISIT_ORDER, page=page)
    return found.with_rows([Visit(*row) for row in found.rows])


# The shopper's own list (GET /visits) in the order of its groups: returned by QA, in progress, to do,
# then the submitted and decided ones; within a group by visit window, then creation. Started is what
# screens.home_groups calls it: an answer saved, the visit's start or the check-in recorded.
HOME_GROUPS = ("returned", "in_progress", "todo", "submitted")
_STARTED = or_(col(Audit.visit_started_at).is_not(None), col(Audit.checkin_at).is_not(None),
               exists().where(col(Answer.audit_id) == Audit.id))
HOME_GROUP = case((col(Audit.status) == AuditStatus.returned, 0),
                  (and_(col(Audit.status) == AuditStatus.draft, _STARTED), 1),
                  (col(Audit.status) == AuditStatus.draft, 2), else_=3)
HOME_ORDER = (SortKey(HOME_GROUP), *VISIT_ORDER)


def home_page(session: Session, *, shopper: User, page: PageRequest) -> Page[Visit]:
    """One page of the shopper's live visits in HOME_ORDER. Raises BadPage for another list's cursor."""
    found = fetch_page(session, _visits_query(shopper), order=HOME_ORDER, page=page)
    return found.with_rows([Visit(*row) for row in found.rows])


def home_counts(session: Session, *, shopper: User) -> dict[str, int]:
    """How many of the shopper's live visits each group of HOME_GROUPS holds, over every page (one
    GROUP BY: the badges say the group's size, not the page's)."""
    ranked = (select(HOME_GROUP.label("rank")).select_from(Assignment)
              .join(Audit, col(Audit.assignment_id) == Assignment.id)
              .where(Assignment.shopper_id == shopper.id, col(Assignment.cancelled_at).is_(None)).subquery())
    query = select(ranked.c.rank, func.count()).group_by(ranked.c.rank)
    return {HOME_GROUPS[rank]: int(n) for rank, n in session.exec(query).all()}  # type: ignore[call-overload]


def visit_of(session: Session, audit: Audit) -> Visit:
    """The assignment, clinic, wave and scenario of an audit."""
    query = (select(Assignment, Clinic, Wave, Scenario)  # type: ignore[call-overload]
             .join(Clinic, col(Clinic.id) == Assignment.clinic_id)
             .join(Wave, col(Wave.id) == Assignment.wave_id)
             .outerjoin(Scenario, col(Scenario.id) == Assignment.scenario_id)
             .where(Assignment.id == audit.assignment_id))
    found = session.exec(query).first()  # one query: the form page asks for this on every load
    assert found is not None, "every audit has its assignment"
    assignment, clinic, wave, scenario = found
    return Visit(assignment, audit, clinic, wave, scenario)


def audit_for(session: Session, assignment: Assignment) -> Audit:
    audit = session.exec(select(Audit).where(Audit.assignment_id == assignment.id)).first()
    assert audit is not None, "every assignment has its audit"
    return audit
