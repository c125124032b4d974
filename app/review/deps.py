"""Path ids turned into checked objects for the review pages and API."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.errors import NotFound
from app.fieldwork.models import Audit


def audit_by_id(audit_id: int, session: SessionDep) -> Audit:
    """The audit, or 404. QA leads and admins see the whole network, so no scope check here."""
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFound()
    return audit


AuditById = Annotated[Audit, Depends(audit_by_id)]
