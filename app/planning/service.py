"""Wave planning: each wave's progress, the assignment board (clinics × shoppers), bulk assignment,
reassigning and cancelling visits that have not started.

Waves and assignments are created by the fieldwork domain (`waves.create_wave`,
`assignments.assign_visit`, `assignments.assign_in_bulk`); this module plans and counts.

Cancelling an assignment sets its `cancelled_at` and deletes its draft audit (with any answers and
evidence rows): the shopper can no longer reach it by any page or API call, and the assignment row
stays as the record of what was planned. Only a never-submitted draft can be cancelled, so nothing
that could count in a report is lost.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists
from sqlmodel import Session, col, func, select

from app import events
from app.accounts.models import Role, User
from app.checklists.models import Checklist, ChecklistVersion
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.fieldwork import assignments as fieldwork
from app.fieldwork import waves as fieldwork_waves
from app.fieldwork.models import Answer, Assignment, Audit, AuditStatus, Evidence, Scenario, Wave
from app.i18n import N_, localized
from app.pool import rules as pool_rules
from app.reports import lookups, sample_size
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page


class NotReassignable(Conflict):
    message = N_("Only a visit whose report is an untouched draft can go to another shopper.")


class NotCancellable(Conflict):
    message = N_("This visit's report was already submitted, so the assignment cannot be cancelled.")


class AlreadyCancelled(Conflict):
    message = N_("This assignment is already cancelled.")


class AlreadyAtClinic(Conflict):
    message = N_("{shopper} already has a visit to this clinic in this wave.")


@dataclass(frozen=True)
class WaveProgress:
    wave: Wave
    planned: int
    assigned: int
    submitted: int  # submitted at least once
    approved: int


def waves_with_progress(session: Session, page: PageRequest | None = None) -> Page[WaveProgress]:
    """One page of waves, latest first, with planned (visits per clinic × active clinics) and live
    counts for the waves on it. Raises BadPage for a cursor that is not this list's."""
    found = fieldwork_waves.waves_page(session, page=page or PageRequest())
    wave_ids = [wave.id for wave in found.rows]
    active_clinics = session.exec(select(func.count(col(Clinic.id))).where(col(Clinic.active))).one()
    query = (select(Assignment.wave_id, func.count(col(Assignment.id)),
                    func.count(case((col(Audit.submission_count) > 0, 1))),
                    func.count(case((col(Audit.status) == AuditStatus.approved, 1))))
             .join(Audit, col(Audit.assignment_id) == Assignment.id)
             .where(col(Assignment.cancelled_at).is_(None), col(Assignment.wave_id).in_(wave_ids))
             .group_by(col(Assignment.wave_id)))
    counts = {wave_id: (assigned, submitted, approved)
              for wave_id, assigned, submitted, approved in session.exec(query).all()} if wave_ids else {}
    return found.with_rows([WaveProgress(wave, wave.visits_per_clinic * active_clinics,
                                         *counts.get(wave.id or 0, (0, 0, 0))) for wave in found.rows])


@dataclass
class BoardVisit:
    assignment_id: int
    audit_id: int | None
    shopper_id: int
    shopper: str
    status: str
    window_start: date | None
    window_end: date | None
    answered: bool
    can_reassign: bool
    can_cancel: bool
    late: bool = False  # the window's last day is over at the clinic and no report was sent


@dataclass
class BoardRow:
    clinic: Clinic
    planned: int
    assigned: int = 0
    submitted: int = 0
    approved: int = 0
    visits: list[BoardVisit] = field(default_factory=list)
    advice: dict[str, Any] | None = None  # sample-size hint (app.reports.sample_size), None without data


def _is_untouched(audit_status: str | None, submission_count: int, answered: bool) -> bool:
    return audit_status == AuditStatus.draft and submission_count == 0 and not answered


BOARD_ORDER = (SortKey(col(Clinic.is_competitor)), SortKey(col(Clinic.name)), SortKey(col(Clinic.id)))


def wave_board(session: Session, wave: Wave, page: PageRequest | None = None, *,
               now: datetime | None = None) -> Page[BoardRow]:
    """One page of rows, one per active clinic (and any inactive one that has visits in the wave), with
    planned, assigned, submitted and approved counts, the live visits and the sample-size hint (visits
    needed for the weakest 0/1 item, from the clinic's latest approved audits of the wave's checklist);
    a visit is late when its window's last day is over at its clinic at `now`. Raises BadPage for a
    cursor that is not this list's."""
    has_visits = exists().where(col(Assignment.clinic_id) == Clinic.id, col(Assignment.wave_id) == wave.id,
                                col(Assignment.cancelled_at).is_(None))
    found = fetch_page(session, select(Clinic).where(col(Clinic.active) | has_visits), order=BOARD_ORDER,
                       page=page or PageRequest())
    clinics = found.rows
    clinic_ids = [clinic.id for clinic in clinics]
    on_page = and_(col(Audit.wave_id) == wave.id, col(Audit.clinic_id).in_(clinic_ids))
    answered_audits = set(session.exec(
        select(Answer.audit_id).join(Audit, col(Audit.id) == Answer.audit_id).where(on_page).distinct()).all())
    answered_audits |= set(session.exec(
        select(Evidence.audit_id).join(Audit, col(Audit.id) == Evidence.audit_id).where(on_page).distinct()).all())
    visits = session.exec(
        select(Assignment, Audit.id, Audit.status, Audit.submission_count, User.name, User.email)  # type: ignore[call-overload]
        .outerjoin(Audit, col(Audit.assignment_id) == Assignment.id)
        .join(User, col(User.id) == Assignment.shopper_id)
        .where(Assignment.wave_id == wave.id, col(Assignment.cancelled_at).is_(None),
               col(Assignment.clinic_id).in_(clinic_ids))
        .order_by(col(Assignment.id))).all()
    rows = {clinic.id: BoardRow(clinic=clinic, planned=wave.visits_per_clinic) for clinic in clinics}
    now = now or utcnow()
    for assignment, audit_id, status, submissions, name, email in visits:
        row = rows[assignment.clinic_id]
        answered = audit_id in answered_audits
        untouched = _is_untouched(status, submissions or 0, answered)
        row.assigned += 1
        row.submitted += (submissions or 0) > 0
        row.approved += status == AuditStatus.approved
        row.visits.append(BoardVisit(
            assignment_id=assignment.id or 0, audit_id=audit_id, shopper_id=assignment.shopper_id,
            shopper=name or email, status=status or "", window_start=assignment.window_start,
            window_end=assignment.window_end, answered=answered, can_reassign=untouched,
            can_cancel=status == AuditStatus.draft and (submissions or 0) == 0,
            late=status in (None, AuditStatus.draft, AuditStatus.returned) and assignment.window_end is not None
            and assignment.window_end < time_zones.today_at(row.clinic, now)))
    checklist = _board_checklist(session, wave)
    if checklist is not None:
        advice = sample_size.visits_needed_by_clinic(session, checklist=checklist,
                                                     clinic_ids=[c.id or 0 for c in clinics])
        meta = lookups.checklist_meta(session, checklist) if advice else None
        texts = {key: item.text for key, item in meta.items.items()} if meta else {}
        for clinic_id, hint in advice.items():
            # the board names the item by its question, as the checklist asks it, not by its key
            rows[clinic_id].advice = hint | {"item_text": localized(texts.get(hint["item"])) or hint["item"]}
    return found.with_rows(list(rows.values()))


def _board_checklist(session: Session, wave: Wave) -> Checklist | None:
    """The checklist the sample-size hint is about: the one most of the wave's visits use, else the
    one most approved audits anywhere use (a wave not yet assigned)."""
    checklist_id = session.exec(
        select(ChecklistVersion.checklist_id)
        .join(Assignment, col(Assignment.checklist_version_id) == ChecklistVersion.id)
        .where(Assignment.wave_id == wave.id, col(Assignment.cancelled_at).is_(None))
        .group_by(col(ChecklistVersion.checklist_id))
        .order_by(func.count(col(Assignment.id)).desc(), col(ChecklistVersion.checklist_id)).limit(1)).first()
    if checklist_id is not None:
        return session.get(Checklist, checklist_id)
    return lookups.most_used_checklist(session, clinic_ids=None)


def bulk_assign(session: Session, *, wave: Wave, clinic_ids: list[int], shopper_ids: list[int],
                checklist_slug: str, scenario_id: int | None = None, window_start: date | None = None,
                window_end: date | None = None, visits_per_clinic: int = 1,
                actor: User | None = None) -> list[Assignment]:
    """Round-robin the chosen shoppers over the chosen clinics (fieldwork's `assign_in_bulk`: a
    shopper is not sent twice to one clinic in the wave while another shopper can go).

    Raises Invalid (nothing chosen, unknown clinic or shopper, bad window), ChecklistNotFound.
    """
    if not clinic_ids or not shopper_ids:
        raise Invalid(N_("Choose at least one clinic and one shopper."))
    if not 1 <= visits_per_clinic <= fieldwork_waves.MAX_VISITS_PER_CLINIC:
        raise Invalid(N_("A clinic gets from 1 to {n} visits."), n=fieldwork_waves.MAX_VISITS_PER_CLINIC)
    clinics = {c.id: c for c in session.exec(select(Clinic).where(col(Clinic.id).in_(clinic_ids))).all()}
    shoppers = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(shopper_ids),
                                                                 User.role == Role.shopper)).all()}
    missing = ([cid for cid in clinic_ids if cid not in clinics]
               + [sid for sid in shopper_ids if sid not in shoppers])
    if missing:
        raise Invalid(N_("Unknown clinic or shopper: {ids}."), ids=", ".join(map(str, missing)))
    scenario = fieldwork.get_scenario(session, scenario_id) if scenario_id else None
    with session.begin_nested():  # all or nothing: a shopper refused halfway leaves no half-made batch
        return fieldwork.assign_in_bulk(
            session, wave=wave, clinics=[clinics[cid] for cid in dict.fromkeys(clinic_ids)],
            shoppers=[shoppers[sid] for sid in dict.fromkeys(shopper_ids)], checklist_slug=checklist_slug,
            scenario=scenario, window_start=window_start, window_end=window_end,
            visits_per_clinic=visits_per_clinic, actor=actor)


def get_assignment(session: Session, assignment_id: int) -> Assignment:
    """Raises NotFound."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound()
    return assignment


def _audit_of(session: Session, assignment: Assignment) -> Audit | None:
    return session.exec(select(Audit).where(Audit.assignment_id == assignment.id)).first()


def _has_work(session: Session, audit: Audit) -> bool:
    answers = session.exec(select(func.count(col(Answer.id))).where(Answer.audit_id == audit.id)).one()
    files = session.exec(select(func.count(col(Evidence.id))).where(Evidence.audit_id == audit.id)).one()
    return bool(answers or files)


def reassign(session: Session, *, assignment: Assignment, shopper_id: int, actor: User | None) -> Assignment:
    """Give a visit to another shopper, only while its audit is a draft with no answer or evidence.

    Raises AlreadyCancelled, NotReassignable, AlreadyAtClinic (409); Invalid for a user who is not
    an active shopper; RuleRefused (422) when a pool rule refuses the new shopper.
    """
    if assignment.cancelled_at is not None:
        raise AlreadyCancelled()
    shopper = session.get(User, shopper_id)
    if shopper is None or shopper.role != Role.shopper or not shopper.active:
        raise Invalid(N_("Choose an active shopper."))
    audit = _audit_of(session, assignment)
    if (audit is None or audit.status != AuditStatus.draft or audit.submission_count
            or _has_work(session, audit)):
        raise NotReassignable()
    if shopper.id == assignment.shopper_id:
        return assignment
    _check_pool_rules(session, assignment, shopper)
    duplicate = session.exec(select(Assignment.id).where(
        Assignment.wave_id == assignment.wave_id, Assignment.clinic_id == assignment.clinic_id,
        Assignment.shopper_id == shopper.id, col(Assignment.cancelled_at).is_(None))).first()
    if duplicate is not None:
        raise AlreadyAtClinic(shopper=shopper.name or shopper.email)
    previous = assignment.shopper_id
    assignment.shopper_id = audit.shopper_id = shopper.id or 0
    audit.updated_at = utcnow()
    session.add_all([assignment, audit])
    trail.record(session, actor=actor, verb="assignment.reassign", entity="assignment",
                 entity_id=assignment.id, audit_id=audit.id, from_shopper_id=previous,
                 to_shopper_id=shopper.id)
    session.flush()
    events.publish(session, events.AssignmentReassigned(assignment_id=assignment.id or 0, old_shopper_id=previous))
    return assignment


def _check_pool_rules(session: Session, assignment: Assignment, shopper: User) -> None:
    """The pool's rules for the new shopper (app.pool.rules). Raises RuleRefused (422)."""
    wave, clinic = session.get(Wave, assignment.wave_id), session.get(Clinic, assignment.clinic_id)
    version = session.get(ChecklistVersion, assignment.checklist_version_id)
    assert wave is not None and clinic is not None and version is not None
    pool_rules.check_visit(session, shopper=shopper, wave=wave, clinic=clinic, checklist_id=version.checklist_id,
                           visit_on=assignment.window_start)


def cancel_assignment(session: Session, *, assignment: Assignment, actor: User | None) -> Assignment:
    """Cancel a visit whose report was never submitted: sets cancelled_at and deletes the draft audit
    with its answers and evidence rows (see the module docstring).

    Raises AlreadyCancelled, NotCancellable (409).
    """
    if assignment.cancelled_at is not None:
        raise AlreadyCancelled()
    audit = _audit_of(session, assignment)
    if audit is not None and (audit.status != AuditStatus.draft or audit.submission_count):
        raise NotCancellable()
    assignment.cancelled_at = utcnow()
    session.add(assignment)
    audit_id = audit.id if audit else None
    if audit is not None:
        session.exec(delete(Answer).where(col(Answer.audit_id) == audit.id))  # type: ignore[call-overload]
        session.exec(delete(Evidence).where(col(Evidence.audit_id) == audit.id))  # type: ignore[call-overload]
        session.delete(audit)
    trail.record(session, actor=actor, verb="assignment.cancel", entity="assignment", entity_id=assignment.id,
                 audit_id=audit_id)
    session.flush()
    events.publish(session, events.AssignmentCancelled(assignment_id=assignment.id or 0))
    return assignment


@dataclass(frozen=True)
class BoardChoices:
    checklists: list[str]
    scenarios: list[Scenario]


def board_choices(session: Session) -> BoardChoices:
    """What the bulk-assign form offers besides shoppers (app/web/choices.py): published checklists
    and active scenarios, both few."""
    slugs = session.exec(
        select(Checklist.slug).join(ChecklistVersion, col(ChecklistVersion.checklist_id) == Checklist.id)
        .where(ChecklistVersion.status == "published").distinct().order_by(col(Checklist.slug))).all()
    scenarios = session.exec(select(Scenario).where(col(Scenario.active)).order_by(col(Scenario.slug))).all()
    return BoardChoices(checklists=list(slugs), scenarios=list(scenarios))
