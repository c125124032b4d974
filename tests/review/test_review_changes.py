"""On a resubmission the review screen shows each changed answer with the one it replaced, as it was
when the audit was returned (kept in the return's trail event)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.checklists import versions
from app.fieldwork.models import Answer
from app.review import screen
from app.review.service import review_audit
from app.trail.models import TrailEvent
from tests.factories import PASSWORD, make_user
from tests.review.builders import answer, make_submitted, submit
from tests.web import log_in


def _change(session: Session, audit_id: int, version_id: int, key: str, *, text: str, at: object) -> None:
    item = versions.item_for(session, version_id, key)
    row = session.exec(select(Answer).where(Answer.audit_id == audit_id, Answer.item_id == item.id)).one()
    row.value_text = text
    row.updated_at = at  # type: ignore[assignment]
    session.add(row)
    session.flush()


def test_a_return_keeps_the_answers_as_they_were_in_its_trail_event(session: Session) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)

    review = review_audit(session, audit=audit, reviewer=qa, decision="return", comments={"reception.wait": "Sure?"})

    event = session.exec(select(TrailEvent).where(TrailEvent.verb == "audit.return",
                                                  TrailEvent.entity_id == audit.id)).one()
    assert event.detail["review_id"] == review.id
    assert event.detail["answers"] == {"call.greeting": [1.0, None, False], "reception.wait": [None, "medium", False]}


def test_approve_and_reject_keep_no_answer_snapshot(session: Session) -> None:
    approved, rejected = make_submitted(session), make_submitted(session)
    qa = make_user(session, Role.qa_lead)

    review_audit(session, audit=approved, reviewer=qa, decision="approve")
    review_audit(session, audit=rejected, reviewer=qa, decision="reject", reason="Recognised")

    events = session.exec(select(TrailEvent).where(TrailEvent.verb.in_(["audit.approve", "audit.reject"]),  # type: ignore[attr-defined]
                                                   TrailEvent.entity_id.in_([approved.id, rejected.id]))).all()  # type: ignore[union-attr]
    assert len(events) == 2 and all("answers" not in e.detail for e in events)


def test_the_resubmitted_screen_shows_old_and_new_answers_of_changed_items(session: Session,
                                                                          client: TestClient) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)
    review = review_audit(session, audit=audit, reviewer=qa, decision="return", comments={"reception.wait": "Sure?"})
    later = review.created_at + timedelta(minutes=5)
    _change(session, audit.id or 0, audit.checklist_version_id, "reception.wait", text="long", at=later)
    answer(session, audit, "call.answer_time", num=12, at=later)
    submit(session, audit, hours_after=20)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    rows = {row.item.key: row for block in screen.review_screen(session, audit).touchpoints for row in block.rows}
    page = client.get(f"/review/audits/{audit.id}").text

    assert rows["reception.wait"].previous_shown == "10 to 20 minutes"
    assert rows["call.answer_time"].previous_shown == "no answer"
    assert rows["call.greeting"].previous_shown is None  # unchanged
    waiting = page.split('id="item-reception.wait"')[1].split("</li>")[0]
    assert "Over 20 minutes" in waiting and "<del>10 to 20 minutes</del>" in waiting
