"""Evidence: photos and recordings attached to an audit item (or the audit), and who may see them."""

from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.scope import can_see_clinic
from app.checklists import versions as checklists
from app.errors import Invalid, NotFound
from app.fieldwork import audio, media
from app.fieldwork.audits import AuditNotEditable, ensure_editable, lock_editable, touch
from app.fieldwork.models import Audit, AuditStatus, Evidence
from app.fieldwork.uploads import spool
from app.i18n import N_
from app.trail import service as trail
from app.validity import capture

HEAD_BYTES = 64


class EvidenceNotFound(NotFound):
    message = N_("There is no such file.")


def add_evidence(session: Session, *, audit: Audit, upload: BinaryIO, item_key: str | None = None,
                 client_upload_id: str | None = None, actor: User | None = None) -> Evidence:
    """Store an uploaded photo or recording for the audit (and an item of it).

    The type is sniffed from the bytes; photos are re-encoded without metadata, recordings lose
    their tags (app.fieldwork.audio). A resend with the
    same client_upload_id returns the evidence stored the first time, also when both copies arrive at
    once (the unique (audit, client_upload_id) constraint decides; the loser's files are removed).
    Raises AuditNotEditable (409), Invalid (unknown item, not a photo or recording, too many pixels,
    unreadable picture or recording), TooLarge (413).
    """
    ensure_editable(audit)
    item_id = None
    if item_key:
        try:
            item_id = checklists.item_for(session, audit.checklist_version_id, item_key).id
        except NotFound as missing:
            raise Invalid(N_("There is no question {key} in this checklist."), key=item_key,
                          detail=[{"item": item_key, "message": missing.text()}]) from missing
    client_upload_id = client_upload_id[:64] if client_upload_id else None
    if client_upload_id and (earlier := _upload(session, audit, client_upload_id)) is not None:
        return earlier
    temp = spool(upload, media.scratch_dir())
    try:
        facts = capture.derive(session, audit=audit, path=temp)  # read before the metadata is stripped
        evidence = _store(audit, item_id, temp, client_upload_id)
    finally:
        temp.unlink(missing_ok=True)
    try:  # the audit's row lock against a submit, taken only now: the file work above may take seconds
        lock_editable(session, audit)
    except AuditNotEditable:
        media.remove_files(evidence.stored_name, evidence.thumb_name)
        raise
    try:
        with session.begin_nested():  # the same upload sent at once by another worker may win the insert
            session.add(evidence)
    except IntegrityError:
        media.remove_files(evidence.stored_name, evidence.thumb_name)
        earlier = _upload(session, audit, client_upload_id) if client_upload_id else None
        if earlier is None:
            raise
        return earlier
    touch(audit)
    session.add(audit)
    session.flush()
    capture.record(session, evidence=evidence, facts=facts)
    trail.record(session, actor=actor, verb="evidence.add", entity="audit", entity_id=audit.id,
                 evidence_id=evidence.id, kind=evidence.kind, item=item_key)
    return evidence


def _upload(session: Session, audit: Audit, client_upload_id: str) -> Evidence | None:
    query = select(Evidence).where(Evidence.audit_id == audit.id, Evidence.client_upload_id == client_upload_id)
    return session.exec(query.execution_options(populate_existing=True)).first()


def _store(audit: Audit, item_id: int | None, temp: Path, client_upload_id: str | None) -> Evidence:
    with temp.open("rb") as handle:
        kind = media.sniff(handle.read(HEAD_BYTES))
    if kind.kind == "photo":
        photo = media.store_photo(temp)
        stored, thumb, width, height = photo.name, photo.thumb_name, photo.width, photo.height
        content_type, size_bytes, sha256 = "image/jpeg", photo.size_bytes, photo.sha256
    else:
        extension = audio.strip_tags(temp, kind.extension)  # no place, device or name travels along
        content_type = media.AUDIO_TYPES[extension]
        kept = media.keep_file(temp, extension=extension, content_type=content_type)
        stored, thumb, width, height, size_bytes, sha256 = kept.name, None, None, None, kept.size_bytes, kept.sha256
    return Evidence(audit_id=audit.id or 0, item_id=item_id, kind=kind.kind, stored_name=stored,
                    thumb_name=thumb, content_type=content_type, size_bytes=size_bytes,
                    width=width, height=height, sha256=sha256, client_upload_id=client_upload_id)


def remove_evidence(session: Session, *, audit: Audit, evidence: Evidence, actor: User | None = None) -> None:
    """Delete a file of an editable audit; the files go once the deletion is committed.
    Raises AuditNotEditable (409)."""
    lock_editable(session, audit)
    names = (evidence.stored_name, evidence.thumb_name)
    session.delete(evidence)
    touch(audit)
    session.add(audit)
    session.flush()
    trail.record(session, actor=actor, verb="evidence.remove", entity="audit", entity_id=audit.id,
                 evidence_id=evidence.id)

    @event.listens_for(session, "after_commit", once=True)
    def _remove_files(_session: Session) -> None:
        media.remove_files(*names)


def evidence_of(session: Session, audit: Audit) -> list[Evidence]:
    query = select(Evidence).where(Evidence.audit_id == audit.id).order_by(col(Evidence.id))
    return list(session.exec(query).all())


def get_evidence(session: Session, *, audit: Audit, evidence_id: int) -> Evidence:
    """Evidence of this audit. Raises EvidenceNotFound."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.audit_id != audit.id:
        raise EvidenceNotFound()
    return evidence


def may_see_audit(session: Session, user: User, audit: Audit) -> bool:
    """The owner shopper, QA and admins always; directors and managers once it is approved and the
    clinic is in their scope."""
    if user.role in (Role.qa_lead, Role.admin):
        return True
    if user.role == Role.shopper:
        return audit.shopper_id == user.id
    if user.role in (Role.director, Role.manager):
        return audit.status == AuditStatus.approved and can_see_clinic(session, user, audit.clinic_id)
    return False


def viewable_evidence(session: Session, *, user: User, evidence_id: int) -> Evidence:
    """Evidence the user may see. Raises EvidenceNotFound otherwise (never 403: existence is private)."""
    evidence = session.get(Evidence, evidence_id)
    audit = session.get(Audit, evidence.audit_id) if evidence else None
    if evidence is None or audit is None or not may_see_audit(session, user, audit):
        raise EvidenceNotFound()
    return evidence
