from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.fieldwork.models import AuditStatus
from tests.factories import PASSWORD, make_user
from tests.review.builders import make_draft, make_submitted
from tests.web import log_in


def _qa(session: Session, client: TestClient, name: str = "Olga") -> None:
    qa = make_user(session, Role.qa_lead, name=name)
    log_in(client, qa.email, PASSWORD)


def test_api_approves_a_submitted_audit(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)

    response = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"], body["decision"]) == (audit.id, "approved", "approve")
    assert body["decided_at"] and body["decided_by"].startswith("qa_lead")
    assert body["comments"] == {}


def test_api_returns_with_item_comments(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)

    response = client.post(f"/api/v1/audits/{audit.id}/review",
                           json={"decision": "return", "comments": {"reception.wait": "Add the minutes"}})

    assert response.status_code == 200
    assert response.json()["comments"] == {"reception.wait": "Add the minutes"}
    assert response.json()["status"] == AuditStatus.returned


def test_api_second_decision_is_409_saying_what_happened(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client, name="Olga")
    client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"})

    response = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "reject", "reason": "x"})

    assert response.status_code == 409
    assert "already approved by Olga" in response.json()["detail"]


def test_api_decision_on_a_draft_is_409(session: Session, client: TestClient) -> None:
    audit = make_draft(session)
    _qa(session, client)

    response = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"})

    assert response.status_code == 409


def test_api_unknown_items_and_missing_reason_are_422(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)

    unknown = client.post(f"/api/v1/audits/{audit.id}/review",
                          json={"decision": "return", "comments": {"nope.item": "x"}})
    no_reason = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "reject"})

    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [{"key": "nope.item", "message": "unknown item"}]
    assert no_reason.status_code == 422


def test_api_unknown_audit_is_404(session: Session, client: TestClient) -> None:
    _qa(session, client)

    response = client.post("/api/v1/audits/999999/review", json={"decision": "approve"})

    assert response.status_code == 404


def test_a_shopper_cannot_review_even_their_own_audit(session: Session, client: TestClient) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_submitted(session, shopper=shopper)
    log_in(client, shopper.email, PASSWORD)

    response = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"})

    assert response.status_code == 403
    session.refresh(audit)
    assert audit.status == AuditStatus.submitted


def test_a_director_cannot_review(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    director = make_user(session, Role.director)
    log_in(client, director.email, PASSWORD)

    response = client.post(f"/api/v1/audits/{audit.id}/review", json={"decision": "approve"})

    assert response.status_code == 403
