from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.accounts.models import Role
from app.fieldwork.models import Answer, Audit, AuditStatus
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import make_audit


def _put(client: TestClient, audit: Audit, *answers: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": list(answers)})


def test_owner_puts_answers_of_every_type_and_reads_them_back(as_shopper: TestClient, audit: Audit) -> None:
    response = _put(as_shopper, audit, {"item": "call.greeting", "value": True},
                    {"item": "call.answer_time", "value": 14.5}, {"item": "call.callback", "na": True},
                    {"item": "call.mood", "value": -1}, {"item": "reception.politeness", "value": 4},
                    {"item": "reception.wait", "value": "long", "comment": "35 minutes"},
                    {"item": "reception.notes", "value": "Clean"})

    assert response.status_code == 200, response.text
    got = {a["item"]: (a["value"], a["na"], a["comment"])
           for a in as_shopper.get(f"/api/v1/audits/{audit.id}").json()["answers"]}
    assert got == {"call.greeting": (True, False, None), "call.answer_time": (14.5, False, None),
                   "call.callback": (None, True, None), "call.mood": (-1, False, None),
                   "reception.politeness": (4, False, None), "reception.wait": ("long", False, "35 minutes"),
                   "reception.notes": ("Clean", False, None)}


def test_the_audit_shows_no_score_to_the_shopper(as_shopper: TestClient, audit: Audit) -> None:
    body = as_shopper.get(f"/api/v1/audits/{audit.id}").json()

    assert body["status"] == "draft" and "score" not in body
    assert body["checklist"] == "test-clinic" and body["checklist_version"] == 1


def test_a_batch_with_bad_answers_lists_each_and_saves_nothing(as_shopper: TestClient, audit: Audit,
                                                                session: Session) -> None:
    response = _put(as_shopper, audit, {"item": "call.greeting", "value": True},
                    {"item": "call.greeting", "value": "perhaps"}, {"item": "reception.politeness", "value": 7},
                    {"item": "call.greeting", "na": True}, {"item": "ghost.item", "value": 1},
                    {"item": "reception.wait", "value": "eternity"})

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["item"] for d in detail] == ["call.greeting", "reception.politeness", "call.greeting",
                                           "ghost.item", "reception.wait"]
    assert all(d["message"] for d in detail)
    assert session.exec(select(func.count()).select_from(Answer).where(Answer.audit_id == audit.id)).one() == 0


def test_a_wrongly_shaped_body_is_a_clear_422(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [{"value": 1}]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "item"


def test_repeating_the_same_put_keeps_one_row(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    for _ in range(3):
        assert _put(as_shopper, audit, {"item": "call.greeting", "value": False, "comment": "x",
                                        "client_change_id": "abc"}).status_code == 200

    assert session.exec(select(func.count()).select_from(Answer).where(Answer.audit_id == audit.id)).one() == 1


def test_an_older_client_change_does_not_overwrite_and_is_reported_as_a_conflict(
        as_shopper: TestClient, audit: Audit) -> None:
    _put(as_shopper, audit, {"item": "call.answer_time", "value": 9, "client_changed_at": "2026-10-02T10:00:05Z"})

    late = _put(as_shopper, audit, {"item": "call.answer_time", "value": 99, "client_change_id": "late",
                                    "client_changed_at": "2026-10-02T10:00:01Z"})

    assert late.status_code == 200
    assert late.json()["applied"] == []
    assert [(c["item"], c["client_change_id"], c["stored"]["value"]) for c in late.json()["conflicts"]] == [
        ("call.answer_time", "late", 9)]
    answers = as_shopper.get(f"/api/v1/audits/{audit.id}").json()["answers"]
    assert answers[0]["value"] == 9


def test_editing_after_submit_is_409(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    audit.status = AuditStatus.submitted
    session.add(audit)
    session.commit()

    response = _put(as_shopper, audit, {"item": "call.greeting", "value": True})

    assert response.status_code == 409
    assert response.json()["detail"] == "This audit was submitted and can no longer be changed."


def test_another_shoppers_audit_is_404(as_shopper: TestClient, session: Session) -> None:
    foreign = make_audit(session)

    assert _put(as_shopper, foreign, {"item": "call.greeting", "value": True}).status_code == 404
    assert as_shopper.get(f"/api/v1/audits/{foreign.id}").status_code == 404
    assert as_shopper.post(f"/api/v1/audits/{foreign.id}/submit").status_code == 404
    assert as_shopper.get("/api/v1/audits/999999").status_code == 404


def test_qa_reads_any_audit_but_cannot_answer_for_the_shopper(client: TestClient, session: Session,
                                                              audit: Audit) -> None:
    log_in_as(client, session, Role.qa_lead)

    assert client.get(f"/api/v1/audits/{audit.id}").status_code == 200
    assert _put(client, audit, {"item": "call.greeting", "value": True}).status_code == 403


def test_a_director_may_not_read_audits_through_this_endpoint(client: TestClient, session: Session,
                                                              audit: Audit) -> None:
    log_in_as(client, session, Role.director)

    assert client.get(f"/api/v1/audits/{audit.id}").status_code == 403


def test_without_login_the_api_answers_401(client: TestClient, audit: Audit) -> None:
    assert client.get(f"/api/v1/audits/{audit.id}").status_code == 401


def test_a_cookie_put_without_csrf_token_is_refused(as_shopper: TestClient, audit: Audit) -> None:
    del as_shopper.headers["X-CSRF-Token"]

    assert _put(as_shopper, audit, {"item": "call.greeting", "value": True}).status_code == 403
