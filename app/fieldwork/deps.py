"""Lookup and permission checks for audits, written once for pages and API.

A shopper gets 404 for any audit that is not theirs: whether it exists is not theirs to know.
"""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import col, select
from starlette.datastructures import FormData

from app.accounts.deps import ShopperUser, require
from app.accounts.models import Role, User
from app.checklists import content
from app.checklists.models import ChecklistVersion
from app.db import SessionDep
from app.fieldwork.audits import AuditNotFound, ensure_editable, get_audit
from app.fieldwork.models import Audit

MAX_FORM_FIELDS = 2000


def own_audit(audit_id: int, user: ShopperUser, session: SessionDep) -> Audit:
    """The shopper's own audit. Raises AuditNotFound (404) for any other. Its checklist version's
    cache key is read in the same query: the form and the autosave need the version's content."""
    found = session.exec(select(Audit, ChecklistVersion.status, ChecklistVersion.published_at)
                         .join(ChecklistVersion, col(ChecklistVersion.id) == Audit.checklist_version_id)
                         .where(Audit.id == audit_id)).first()
    if found is None or found[0].shopper_id != user.id:
        raise AuditNotFound()
    audit, status, published_at = found
    content.key_read(session, audit.checklist_version_id, status, published_at)
    return audit


OwnAudit = Annotated[Audit, Depends(own_audit)]


def own_editable_audit(audit: OwnAudit) -> Audit:
    """The shopper's own audit while it can be changed. Raises AuditNotEditable (409) after submit."""
    ensure_editable(audit)
    return audit


OwnEditableAudit = Annotated[Audit, Depends(own_editable_audit)]

AuditReader = Annotated[User, Depends(require(Role.shopper, Role.qa_lead, Role.admin))]


def readable_audit(audit_id: int, user: AuditReader, session: SessionDep) -> Audit:
    """An audit for its owner shopper, QA or an admin. Raises AuditNotFound for another shopper's."""
    audit = get_audit(session, audit_id)
    if user.role == Role.shopper and audit.shopper_id != user.id:
        raise AuditNotFound()
    return audit


ReadableAudit = Annotated[Audit, Depends(readable_audit)]


async def posted_form(request: Request) -> FormData:
    """The request's form (urlencoded or multipart), read once. Routes taking uploads read it here
    rather than through File() parameters, so the streaming size limit answers 413 itself."""
    return await request.form(max_fields=MAX_FORM_FIELDS, max_files=50)


PostedForm = Annotated[FormData, Depends(posted_form)]
