"""A clinic with coordinates, its audits, and uploads through the real API as their shoppers."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.clinics.models import Clinic
from app.fieldwork.models import Audit, Evidence
from app.storage import get_storage
from app.storage.base import read_all
from app.validity.models import EvidenceFacts
from tests.factories import PASSWORD, make_clinic, make_user
from tests.fieldwork.helpers import make_audit
from tests.validity.images import CLINIC, photo_bytes
from tests.web import log_in

VISIT_START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
VISIT_END = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def clinic(session: Session) -> Clinic:
    return make_clinic(session, latitude=CLINIC[0], longitude=CLINIC[1], address="Red Square 1")


@pytest.fixture
def shopper(session: Session) -> User:
    return make_user(session, Role.shopper)


@pytest.fixture
def audit(session: Session, shopper: User, clinic: Clinic) -> Audit:
    return make_audit(session, shopper=shopper, clinic=clinic)


def as_user(client: TestClient, user: User) -> TestClient:
    client.cookies.clear()  # whoever was logged in before
    return log_in(client, user.email, PASSWORD)


def upload(client: TestClient, audit: Audit, data: bytes, *, item: str = "reception.photo",
           name: str = "photo.jpg") -> int:
    """Upload as the logged-in shopper; the new evidence id."""
    response = client.post(f"/api/v1/audits/{audit.id}/evidence", data={"item": item},
                           files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def facts_of(session: Session, evidence_id: int) -> EvidenceFacts:
    session.expire_all()
    return session.exec(select(EvidenceFacts).where(EvidenceFacts.evidence_id == evidence_id)).one()


def stored_bytes(session: Session, evidence_id: int) -> bytes:

    evidence = session.get(Evidence, evidence_id)
    assert evidence is not None
    return read_all(get_storage(), evidence.stored_name)


def submit_visit(session: Session, audit: Audit, *, start: datetime = VISIT_START, end: datetime = VISIT_END,
                 submitted_at: datetime | None = None) -> Audit:
    """Answer the small checklist, give the visit times and submit (the verdict is computed there),
    then move the submission to `submitted_at` (default: three hours after the visit) and compute the
    verdict again: the visits of these tests lie in October 2026, whatever today is."""
    from app.fieldwork import evidence, submission
    from app.validity import verdict
    from tests.fieldwork.helpers import answer_all

    session.refresh(audit)
    if audit.status in ("draft", "returned"):
        answer_all(session, audit)
        if not session.exec(select(Evidence).where(Evidence.audit_id == audit.id, Evidence.kind == "photo")).first():
            # The checklist requires a photo: a plain one, which tells nothing (no EXIF, not hashed).
            evidence.add_evidence(session, audit=audit, item_key="reception.photo",
                                  upload=io.BytesIO(photo_bytes(Image.new("RGB", (64, 48), (240, 240, 240)), "PNG")))
        audit.visit_started_at, audit.visit_ended_at = start, end
        session.add(audit)
        submission.submit_audit(session, audit=audit)
    audit.submitted_at = submitted_at or end + timedelta(hours=3)
    session.add(audit)
    verdict.assess_audit(session, audit=audit)
    session.commit()
    return audit


def verdict_of(session: Session, audit: Audit) -> tuple[str, list[str]]:
    from app.validity import verdict

    view = verdict.view_of(verdict.current_validity(session, audit=audit))
    return view.verdict, [reason.message for reason in view.reasons]
