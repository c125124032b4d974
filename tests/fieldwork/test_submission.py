import io
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.accounts.models import Role
from app.errors import Invalid
from app.fieldwork import evidence
from app.fieldwork.answers import record_answer
from app.fieldwork.models import Audit, AuditStatus
from app.fieldwork.submission import missing, submit_audit
from app.trail.models import TrailEvent
from tests.factories import make_user
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import answer_all, make_audit, picture


def _photo(session: Session, audit: Audit, item_key: str = "reception.photo") -> None:
    evidence.add_evidence(session, audit=audit, upload=io.BytesIO(picture()), item_key=item_key)


def _submits(session: Session, audit: Audit) -> int:
    return session.exec(select(func.count()).select_from(TrailEvent).where(
        TrailEvent.verb == "audit.submit", TrailEvent.entity_id == audit.id)).one()


def test_an_empty_audit_lists_every_required_item(session: Session) -> None:
    audit = make_audit(session)

    gaps = missing(session, audit)

    assert [g.item_key for g in gaps] == ["call.answer_time", "call.greeting", "call.callback", "call.mood",
                                          "reception.politeness", "reception.wait", "reception.photo"]
    assert "reception.notes" not in {g.item_key for g in gaps}


def test_na_counts_as_answered_where_allowed(session: Session) -> None:
    audit = make_audit(session)
    record_answer(session, audit=audit, item_key="call.callback", value=None, na=True)

    assert "call.callback" not in {g.item_key for g in missing(session, audit)}


def test_a_failing_answer_needs_its_comment(session: Session) -> None:
    audit = make_audit(session)
    record_answer(session, audit=audit, item_key="call.greeting", value=False)

    gaps = [g for g in missing(session, audit) if g.item_key == "call.greeting"]
    record_answer(session, audit=audit, item_key="call.greeting", value=False, comment="Only 'hello'")

    assert [g.message for g in gaps] == ["Explain this answer in a comment."]
    assert "call.greeting" not in {g.item_key for g in missing(session, audit)}


def test_submit_with_gaps_is_invalid_and_lists_them(session: Session) -> None:
    audit = make_audit(session)
    answer_all(session, audit)

    with pytest.raises(Invalid) as raised:
        submit_audit(session, audit=audit)

    assert raised.value.detail == [{"item": "reception.photo", "touchpoint": "reception",
                                    "message": "Add a photo or recording."}]
    assert audit.status == AuditStatus.draft


def test_submitting_twice_gives_one_submission(session: Session) -> None:
    audit = make_audit(session)
    answer_all(session, audit)
    _photo(session, audit)

    first = submit_audit(session, audit=audit)
    second = submit_audit(session, audit=audit)

    assert first.status == second.status == AuditStatus.submitted
    assert second.submission_count == 1 and second.submitted_at is not None
    assert _submits(session, audit) == 1


def test_a_returned_audit_is_resubmitted_as_the_next_submission(session: Session) -> None:
    audit = make_audit(session)
    answer_all(session, audit)
    _photo(session, audit)
    submit_audit(session, audit=audit)
    audit.status = AuditStatus.returned
    session.add(audit)
    session.flush()

    record_answer(session, audit=audit, item_key="call.answer_time", value=25)
    again = submit_audit(session, audit=audit)

    assert again.status == AuditStatus.submitted and again.submission_count == 2


def test_the_submit_api_answers_with_the_audit_and_a_repeat_changes_nothing(as_shopper: TestClient,
                                                                           audit: Audit, session: Session) -> None:
    answer_all(session, audit)
    _photo(session, audit)
    session.commit()

    first = as_shopper.post(f"/api/v1/audits/{audit.id}/submit")
    second = as_shopper.post(f"/api/v1/audits/{audit.id}/submit")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "submitted" and second.json() == first.json()
    assert first.json()["submission_count"] == 1


def test_the_submit_api_lists_what_is_missing(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/api/v1/audits/{audit.id}/submit")

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"item", "message"} <= set(detail[0]) and len(detail) == 7


def test_qa_cannot_submit_for_the_shopper(client: TestClient, session: Session, audit: Audit) -> None:
    log_in_as(client, session, Role.qa_lead)

    assert client.post(f"/api/v1/audits/{audit.id}/submit").status_code == 403


def test_two_parallel_submits_give_one_submission(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        audit = make_audit(setup, shopper=make_user(setup, Role.shopper))
        answer_all(setup, audit)
        _photo(setup, audit)
        setup.commit()
    postgres = own_engine.dialect.name == "postgresql"
    barrier = threading.Barrier(2, timeout=10)
    results: list[object] = []

    def submit() -> None:
        try:
            with Session(own_engine, expire_on_commit=False) as db:
                mine = db.get(Audit, audit.id)
                assert mine is not None
                if postgres:  # both have read the draft before either updates (SQLite serialises writers)
                    barrier.wait()
                done = submit_audit(db, audit=mine)
                db.commit()
                results.append((done.status, done.submission_count))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results == [("submitted", 1), ("submitted", 1)]
    with Session(own_engine) as check:
        stored = check.get(Audit, audit.id)
        assert stored is not None and stored.submission_count == 1
        assert _submits(check, stored) == 1
