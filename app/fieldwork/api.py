"""The fieldwork JSON API (docs/design.md §8): waves, assignments, audits, answers, evidence, submit."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from app.accounts import service as accounts
from app.accounts.deps import QaUser, require
from app.accounts.models import Role, User
from app.checklists import versions as checklists
from app.checklists.content import content_of
from app.checklists.models import ChecklistVersion, Item
from app.clinics.models import Clinic
from app.db import SessionDep
from app.errors import Invalid, NotFound
from app.fieldwork import answers, assignments, evidence, submission, visits, waves
from app.fieldwork.deps import AuditReader, OwnAudit, OwnEditableAudit, PostedForm, ReadableAudit
from app.fieldwork.models import Audit, Evidence
from app.fieldwork.rules import json_value
from app.fieldwork.schemas import (
    AnswerConflictOut,
    AnswerIn,
    AnswerOut,
    AnswersIn,
    AnswersSavedOut,
    AssignmentIn,
    AssignmentOut,
    AuditOut,
    CheckIn,
    CheckInIn,
    EvidenceOut,
    StoredAnswerOut,
    VisitTimesIn,
    WaveIn,
    WaveOut,
)
from app.fieldwork.uploads import LimitedBodyRoute
from app.i18n import N_
from app.money import terms as money_terms
from app.validity import verdict
from app.validity.schemas import validity_out
from app.web.paging import PAGED, PageParams, link_next
from app.web.urls import url_for

router = APIRouter(prefix="/api/v1", tags=["fieldwork"], route_class=LimitedBodyRoute)

AssignmentReader = Annotated[User, Depends(require(Role.shopper, Role.qa_lead, Role.admin))]


@router.get("/waves", response_model=list[WaveOut], responses=PAGED)
def list_waves(request: Request, response: Response, user: QaUser, session: SessionDep,
               page: PageParams) -> list[WaveOut]:
    """The latest period first, one page at a time (docs/design.md §8)."""
    found = waves.waves_page(session, page=page)
    link_next(request, response, found)
    return [WaveOut.model_validate(w, from_attributes=True) for w in found.rows]


@router.post("/waves", response_model=WaveOut, status_code=201)
def create_wave(body: WaveIn, user: QaUser, session: SessionDep) -> WaveOut:
    wave = waves.create_wave(session, name=body.name, starts_on=body.starts_on, ends_on=body.ends_on,
                             visits_per_clinic=body.visits_per_clinic, actor=user)
    return WaveOut.model_validate(wave, from_attributes=True)


def _version(session: Session, version_id: int) -> ChecklistVersion:
    version = session.get(ChecklistVersion, version_id)
    assert version is not None
    return version


def _assignment_out(session: Session, visit: assignments.Visit) -> AssignmentOut:
    version = _version(session, visit.assignment.checklist_version_id)
    shopper = session.get(User, visit.assignment.shopper_id)
    return AssignmentOut(
        id=visit.assignment.id or 0, audit_id=visit.audit.id or 0, wave_id=visit.wave.id or 0,
        clinic_id=visit.clinic.id or 0, clinic_name=visit.clinic.name,
        checklist=checklists.slug_of(session, version), checklist_version=version.version,
        scenario_id=visit.assignment.scenario_id, shopper=shopper.email if shopper else "",
        window_start=visit.assignment.window_start, due_on=visit.assignment.window_end,
        status=visit.audit.status)


@router.post("/assignments", response_model=AssignmentOut, status_code=201)
def create_assignment(body: AssignmentIn, user: QaUser, session: SessionDep) -> AssignmentOut:
    """Every reference in the body (wave, clinic, checklist, scenario, shopper) must exist: else 422."""
    clinic = session.get(Clinic, body.clinic_id)
    if clinic is None:
        raise Invalid(N_("There is no clinic {clinic_id}."), clinic_id=body.clinic_id)
    shopper = accounts.find_user(session, body.shopper)
    if shopper is None:
        raise Invalid(N_("There is no user {email}."), email=body.shopper)
    try:
        wave = waves.get_wave(session, body.wave_id)
        scenario = assignments.get_scenario(session, body.scenario_id) if body.scenario_id else None
        assignment = assignments.assign_visit(session, wave=wave, clinic=clinic, checklist_slug=body.checklist,
                                              scenario=scenario, shopper=shopper, window_start=body.window_start,
                                              window_end=body.due_on, actor=user)
    except NotFound as missing:
        raise Invalid(missing.message, **missing.params) from missing
    if body.fee is not None or body.reimbursement_limit is not None:
        money_terms.set_visit_terms(session, assignment=assignment, fee=body.fee,
                                    reimbursement_limit=body.reimbursement_limit)
    audit = assignments.audit_for(session, assignment)
    return _assignment_out(session, assignments.visit_of(session, audit))


@router.get("/assignments", response_model=list[AssignmentOut], responses=PAGED)
def list_assignments(request: Request, response: Response, user: AssignmentReader, session: SessionDep,
                     page: PageParams) -> list[AssignmentOut]:
    """A shopper sees their own assignments; QA and admins see all. By due date, one page at a time."""
    shopper = user if user.role == Role.shopper else None
    found = assignments.visits_page(session, page=page, shopper=shopper)
    link_next(request, response, found)
    return [_assignment_out(session, visit) for visit in found.rows]


def _evidence_out(request: Request, item_keys: dict[int, str], file: Evidence) -> EvidenceOut:
    thumb = str(url_for(request, "evidence_thumb", evidence_id=file.id)) if file.thumb_name else None
    return EvidenceOut(id=file.id or 0, kind=file.kind, item=item_keys.get(file.item_id or 0),
                       url=str(url_for(request, "evidence_file", evidence_id=file.id)), thumb_url=thumb,
                       content_type=file.content_type, size_bytes=file.size_bytes, width=file.width,
                       height=file.height, created_at=file.created_at)


def _audit_out(request: Request, session: Session, audit: Audit) -> AuditOut:
    content = content_of(session, audit.checklist_version_id)
    items = {item.id or 0: item for item in content.items}
    order = {item_id: n for n, item_id in enumerate(items)}
    keys = {item_id: item.key for item_id, item in items.items()}
    version = content.version
    shopper = session.get(User, audit.shopper_id)
    checkin = None
    located = audit.checkin_latitude is not None and audit.checkin_longitude is not None
    clinic = session.get(Clinic, audit.clinic_id) if located else None  # only for the distance
    if located and clinic is not None:
        checkin = CheckIn(latitude=audit.checkin_latitude, longitude=audit.checkin_longitude,
                          accuracy_m=audit.checkin_accuracy_m, at=audit.checkin_at,
                          distance_m=visits.distance_to_clinic(audit, clinic))
    stored = sorted(answers.answers_of(session, audit).values(), key=lambda a: order[a.item_id])
    return AuditOut(
        id=audit.id or 0, assignment_id=audit.assignment_id, status=audit.status, wave_id=audit.wave_id,
        clinic_id=audit.clinic_id, checklist=content.slug,
        checklist_version=version.version, shopper=shopper.email if shopper else "",
        submission_count=audit.submission_count, created_at=audit.created_at, updated_at=audit.updated_at,
        submitted_at=audit.submitted_at, visit_started_at=audit.visit_started_at,
        visit_ended_at=audit.visit_ended_at, checkin=checkin,
        answers=[AnswerOut(item=keys[a.item_id], na=a.na, comment=a.comment, updated_at=a.updated_at,
                           value=json_value(items[a.item_id], a.value_num, a.value_text)) for a in stored],
        evidence=[_evidence_out(request, keys, file) for file in evidence.evidence_of(session, audit)])


@router.get("/audits/{audit_id}", response_model=AuditOut, response_model_exclude_unset=True)
def get_audit(request: Request, audit: ReadableAudit, user: AuditReader, session: SessionDep) -> AuditOut:
    """Status, answers, evidence and timestamps (no score: reports compute scores); for QA and
    admins also the visit's validity verdict (docs/validity.md), which the shopper never sees."""
    out = _audit_out(request, session, audit)
    if user.role in (Role.qa_lead, Role.admin):
        out.validity = validity_out(verdict.view_of(verdict.current_validity(session, audit=audit))) \
            if audit.submission_count else None
    return out


@router.put("/audits/{audit_id}/answers", response_model=AnswersSavedOut)
def put_answers(request: Request, body: AnswersIn, audit: OwnAudit, session: SessionDep) -> AnswersSavedOut:
    """Upsert answers by item key. One bad answer: 422 listing each bad one, none saved. A change
    older than the stored answer is not applied: it is listed in `conflicts` with the stored answer
    (same device: by client_seq; another device: by client_changed_at)."""
    saved = answers.record_answers(session, audit=audit, answers=[
        answers.AnswerInput(a.item, a.value, a.na, a.comment, a.client_change_id, a.client_changed_at,
                            a.client_device_id, a.client_seq) for a in body.answers])
    items = answers.items_by_key(session, audit)
    results = list(zip(body.answers, saved, strict=True))
    return AnswersSavedOut(
        **_audit_out(request, session, audit).model_dump(),
        applied=[sent.client_change_id for sent, done in results if done.applied and sent.client_change_id],
        conflicts=[_conflict_out(items[done.item_key], sent, done) for sent, done in results if not done.applied])


def _conflict_out(item: Item, sent: AnswerIn, done: answers.Saved) -> AnswerConflictOut:
    stored = done.answer
    return AnswerConflictOut(item=item.key, client_change_id=sent.client_change_id, stored=StoredAnswerOut(
        item=item.key, value=json_value(item, stored.value_num, stored.value_text), na=stored.na,
        comment=stored.comment, updated_at=stored.updated_at, client_change_id=stored.client_change_id,
        client_device_id=stored.client_device_id, client_seq=stored.client_seq,
        client_changed_at=stored.client_changed_at))


@router.post("/audits/{audit_id}/evidence", response_model=EvidenceOut, status_code=201)
def post_evidence(request: Request, audit: OwnAudit, form: PostedForm, session: SessionDep,
                  user: AssignmentReader) -> EvidenceOut:
    """Multipart `file`, optional `item` and `client_upload_id` (a resend returns the same evidence)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(N_("Attach the file in the form field \"file\"."))
    item_key = form.get("item")
    upload_id = form.get("client_upload_id")
    file = evidence.add_evidence(
        session, audit=audit, upload=upload.file, actor=user,
        item_key=item_key if isinstance(item_key, str) and item_key else None,
        client_upload_id=upload_id if isinstance(upload_id, str) and upload_id else None)
    keys = {item.id or 0: item.key for item in checklists.items_of(session, audit.checklist_version_id)}
    return _evidence_out(request, keys, file)


@router.delete("/audits/{audit_id}/evidence/{evidence_id}", status_code=204)
def delete_evidence(audit: OwnEditableAudit, evidence_id: int, session: SessionDep,
                    user: AssignmentReader) -> Response:
    file = evidence.get_evidence(session, audit=audit, evidence_id=evidence_id)
    evidence.remove_evidence(session, audit=audit, evidence=file, actor=user)
    return Response(status_code=204)


@router.put("/audits/{audit_id}/visit", response_model=AuditOut)
def put_visit_times(request: Request, body: VisitTimesIn, audit: OwnAudit, session: SessionDep,
                    user: AssignmentReader) -> AuditOut:
    visits.set_visit_times(session, audit=audit, started_at=body.started_at, ended_at=body.ended_at,
                           actor=user)
    return _audit_out(request, session, audit)


@router.post("/audits/{audit_id}/checkin", response_model=AuditOut)
def post_checkin(request: Request, body: CheckInIn, audit: OwnAudit, session: SessionDep,
                 user: AssignmentReader) -> AuditOut:
    visits.check_in(session, audit=audit, latitude=body.latitude, longitude=body.longitude,
                    accuracy_m=body.accuracy_m, actor=user)
    return _audit_out(request, session, audit)


@router.post("/audits/{audit_id}/submit", response_model=AuditOut)
def submit(request: Request, audit: OwnAudit, session: SessionDep, user: AssignmentReader) -> AuditOut:
    """Submit once: a repeat answers 200 with the same audit and changes nothing; 422 lists gaps."""
    submission.submit_audit(session, audit=audit, actor=user)
    return _audit_out(request, session, audit)
