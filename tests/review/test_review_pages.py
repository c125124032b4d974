import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.checklists import versions
from app.fieldwork.models import AuditStatus, Evidence
from app.review.service import review_audit
from tests.factories import PASSWORD, make_clinic, make_user
from tests.review.builders import answer, make_submitted, submit
from tests.web import csrf_from, log_in


def _qa(session: Session, client: TestClient) -> None:
    log_in(client, make_user(session, Role.qa_lead, name="Olga").email, PASSWORD)


def test_queue_lists_submitted_audits_oldest_first(session: Session, client: TestClient) -> None:
    newer = make_submitted(session)
    older = make_submitted(session)
    assert newer.submitted_at is not None
    older.submitted_at = newer.submitted_at - timedelta(days=2)
    session.add(older)
    _qa(session, client)

    page = client.get("/review")
    fragment = client.get("/review", headers={"HX-Request": "true"})

    assert page.status_code == 200 and "<html" in page.text
    assert page.text.index(f"#{older.id}<") < page.text.index(f"#{newer.id}<")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="queue"' in fragment.text and f"#{older.id}<" in fragment.text


def test_queue_filters_by_clinic_and_shopper(session: Session, client: TestClient) -> None:
    clinic = make_clinic(session, name="Filter Clinic")
    shopper = make_user(session, Role.shopper)
    wanted = make_submitted(session, clinic=clinic, shopper=shopper)
    other = make_submitted(session)
    _qa(session, client)

    by_clinic = client.get(f"/review?clinic={clinic.id}&wave=&checklist=&shopper=")
    by_shopper = client.get(f"/review?shopper={shopper.id}", headers={"HX-Request": "true"})

    assert f"#{wanted.id}<" in by_clinic.text and f"#{other.id}<" not in by_clinic.text
    assert f"#{wanted.id}<" in by_shopper.text and f"#{other.id}<" not in by_shopper.text


def test_queue_leaves_out_drafts_and_decided_audits(session: Session, client: TestClient) -> None:
    decided = make_submitted(session)
    review_audit(session, audit=decided, reviewer=make_user(session, Role.qa_lead), decision="approve")
    _qa(session, client)

    page = client.get("/review")

    assert f"#{decided.id}<" not in page.text


def test_review_screen_shows_answers_evidence_timings_and_distance(session: Session,
                                                                   client: TestClient) -> None:
    clinic = make_clinic(session, latitude=55.7558, longitude=37.6173)
    audit = make_submitted(session, clinic=clinic)
    audit.checkin_latitude, audit.checkin_longitude = 55.7567, 37.6173  # about 100 m north
    photo_item = versions.item_for(session, audit.checklist_version_id, "reception.photo")
    photo = Evidence(audit_id=audit.id or 0, item_id=photo_item.id, kind="photo", stored_name="p1.jpg",
                     content_type="image/jpeg", size_bytes=10, sha256="0" * 64)
    call = Evidence(audit_id=audit.id or 0, kind="audio", stored_name="a1.m4a", content_type="audio/mp4",
                    size_bytes=10, sha256="1" * 64)
    session.add_all([audit, photo, call])
    session.flush()
    _qa(session, client)

    page = client.get(f"/review/audits/{audit.id}")
    fragment = client.get(f"/review/audits/{audit.id}", headers={"HX-Request": "true"})

    assert page.status_code == 200 and "<html" in page.text
    assert "Named the clinic" in page.text and "Yes" in page.text
    assert "10 to 20 minutes" in page.text and "Twelve minutes" in page.text
    assert f'src="/media/{photo.id}"' in page.text
    assert f'<audio controls preload="none" src="/media/{call.id}"' in page.text
    assert "100 m from the clinic" in page.text
    assert "3.0 h" in page.text  # visit end to submit
    assert 'name="decision" value="approve"' in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="review-screen"' in fragment.text


def test_approve_through_the_form_goes_back_to_the_queue_with_a_message(session: Session,
                                                                        client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)
    token = csrf_from(client.get(f"/review/audits/{audit.id}").text)
    del client.headers["X-CSRF-Token"]  # a plain form, no JavaScript
    form = {"csrf_token": token, "decision": "approve", "reason": "", "comment_item": ["call.greeting"],
            "comment": [""]}

    response = client.post(f"/review/audits/{audit.id}", data=form)

    assert response.status_code == 303
    assert response.headers["location"] == f"/review?done=approve&audit={audit.id}"
    session.refresh(audit)
    assert audit.status == AuditStatus.approved
    queue = client.get(response.headers["location"])
    assert f"Audit {audit.id} approved" in queue.text


def test_return_through_the_form_keeps_the_item_comments(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)

    response = client.post(f"/review/audits/{audit.id}", data={
        "decision": "return", "comment_item": ["call.greeting", "reception.wait"],
        "comment": ["", "Say how many minutes exactly"]})

    assert response.status_code == 303
    page = client.get(f"/review/audits/{audit.id}")
    assert "Returned" in page.text and "Say how many minutes exactly" in page.text and "Olga" in page.text


def test_a_form_error_re_renders_the_screen_with_the_message_and_the_drafts(session: Session,
                                                                            client: TestClient) -> None:
    audit = make_submitted(session)
    _qa(session, client)

    response = client.post(f"/review/audits/{audit.id}", data={"decision": "reject", "reason": "",
                                                               "comment_item": ["reception.wait"],
                                                               "comment": ["keep me"]})

    assert response.status_code == 422
    assert "give the reason" in response.text and "keep me" in response.text


def test_a_decision_on_an_already_decided_audit_re_renders_with_409(session: Session,
                                                                    client: TestClient) -> None:
    audit = make_submitted(session)
    ivan = make_user(session, Role.qa_lead, name="Ivan")
    review_audit(session, audit=audit, reviewer=ivan, decision="approve")
    _qa(session, client)

    response = client.post(f"/review/audits/{audit.id}", data={"decision": "approve"})

    assert response.status_code == 409
    assert "already approved by Ivan" in response.text


def test_a_resubmission_highlights_what_changed(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    qa = make_user(session, Role.qa_lead)
    review = review_audit(session, audit=audit, reviewer=qa, decision="return",
                          comments={"call.answer_time": "How many seconds?"})
    answer(session, audit, "call.answer_time", num=12, at=review.created_at + timedelta(minutes=5))
    submit(session, audit, hours_after=20)
    _qa(session, client)

    page = client.get(f"/review/audits/{audit.id}")

    assert "Resubmission: 1 item changed" in page.text
    assert re.search(r'id="item-call.answer_time" class="review-item [^"]*\bchanged"', page.text)
    changed = page.text.split('id="item-call.answer_time"')[1].split("</li>")[0]
    assert "How many seconds?" in changed and "12 s" in changed
    unchanged = page.text.split('id="item-call.greeting"')[1].split("</li>")[0]
    assert "changed" not in unchanged.split(">")[0] and "badge warn" not in unchanged


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end)]


def test_the_screen_leads_with_failures_marks_each_answer_and_folds_the_rest(session: Session,
                                                                             client: TestClient) -> None:
    audit = make_submitted(session)
    answer(session, audit, "call.callback", num=0)  # a failed yes/no; the greeting passed
    _qa(session, client)

    page = client.get(f"/review/audits/{audit.id}").text

    lead = _between(page, 'id="to-decide"', 'id="the-rest"')
    rest = _between(page, 'id="the-rest"', 'id="visit-details"')
    assert 'id="item-call.callback"' in lead and "✗ failed" in lead.split('id="item-call.callback"')[1]
    assert 'id="item-call.callback"' not in rest and "✓ passed" in rest.split('id="item-call.greeting"')[1]
    assert page.index('id="to-decide"') < page.index('id="the-rest"') < page.index('class="decision-bar"')
    # each comment box sits closed inside its item, one per item, never open on an untouched screen
    assert page.count('<details class="item-comment">') == page.count('name="comment_item"') > 1
    assert '<details class="item-comment" open' not in page


def test_the_shopper_cannot_open_the_review_pages(session: Session, client: TestClient) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_submitted(session, shopper=shopper)
    log_in(client, shopper.email, PASSWORD)

    assert client.get("/review").status_code == 403
    assert client.get(f"/review/audits/{audit.id}").status_code == 403
    assert client.post(f"/review/audits/{audit.id}", data={"decision": "approve"}).status_code == 403
