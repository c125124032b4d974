"""Where the verdict shows: the review queue (column, filter), the review screen (panel), the approval
gate (a note for a doubtful or invalid visit), the API (QA and admin only), shopper quality, reports."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.review import quality
from app.review.service import review_audit
from app.validity import rules
from tests.factories import make_user
from tests.fieldwork.helpers import make_audit
from tests.validity.conftest import VISIT_END, as_user, submit_visit
from tests.web import csrf_from

LATE = VISIT_END + timedelta(days=9, hours=1)


@pytest.fixture
def qa(session: Session) -> User:
    return make_user(session, Role.qa_lead, name="Olga")


@pytest.fixture
def doubtful(session: Session, audit: Audit) -> Audit:
    return submit_visit(session, audit, submitted_at=LATE)


def test_the_queue_shows_the_verdict_and_its_reasons_and_filters_by_it(
        client: TestClient, session: Session, doubtful: Audit, shopper: User, clinic, qa: User) -> None:  # type: ignore[no-untyped-def]
    fine = submit_visit(session, make_audit(session, shopper=shopper, clinic=clinic))
    as_user(client, qa)

    page = client.get("/review")
    only_doubtful = client.get("/review?validity=doubtful", headers={"HX-Request": "true"})
    only_valid = client.get("/review?validity=valid", headers={"HX-Request": "true"})

    assert 'data-verdict="doubtful"' in page.text and "submitted 9 days after the visit" in page.text
    assert f"#{doubtful.id}<" in only_doubtful.text and f"#{fine.id}<" not in only_doubtful.text
    assert f"#{fine.id}<" in only_valid.text and f"#{doubtful.id}<" not in only_valid.text
    assert "<html" not in only_doubtful.text


def test_the_review_screen_has_the_panel_with_facts_and_sources(client: TestClient, session: Session,
                                                                doubtful: Audit, qa: User) -> None:
    as_user(client, qa)

    page = client.get(f"/review/audits/{doubtful.id}").text

    assert 'id="validity-panel"' in page and 'data-verdict="doubtful"' in page
    assert "submitted 9 days after the visit" in page
    assert "submission time and answer timestamps" in page  # each fact names its source
    assert "phone location at check-in" in page


def test_approving_a_doubtful_report_without_a_note_is_refused_on_the_page(
        client: TestClient, session: Session, doubtful: Audit, qa: User) -> None:
    as_user(client, qa)
    token = csrf_from(client.get(f"/review/audits/{doubtful.id}").text)

    refused = client.post(f"/review/audits/{doubtful.id}", data={"decision": "approve", "csrf_token": token})
    session.refresh(doubtful)
    still = doubtful.status
    approved = client.post(f"/review/audits/{doubtful.id}", data={
        "decision": "approve", "reason": "Called the clinic: the visit happened.", "csrf_token": token})

    assert refused.status_code == 422 and still == AuditStatus.submitted
    assert "to approve it anyway, write a note" in refused.text
    assert approved.status_code == 303
    session.refresh(doubtful)
    assert doubtful.status == AuditStatus.approved


def test_approving_a_doubtful_report_without_a_note_is_refused_by_the_api(
        client: TestClient, session: Session, doubtful: Audit, qa: User) -> None:
    as_user(client, qa)

    refused = client.post(f"/api/v1/audits/{doubtful.id}/review", json={"decision": "approve"})
    noted = client.post(f"/api/v1/audits/{doubtful.id}/review",
                        json={"decision": "approve", "reason": "Receipt checked."})

    assert refused.status_code == 422
    assert refused.json()["detail"] == "This report's visit is doubtful: to approve it anyway, write a note saying why."
    assert noted.status_code == 200 and noted.json()["status"] == "approved"


def test_a_valid_report_is_approved_without_a_note(session: Session, audit: Audit, qa: User) -> None:
    submit_visit(session, audit)

    review = review_audit(session, audit=audit, reviewer=qa, decision="approve")

    assert review.decision == "approve" and audit.status == AuditStatus.approved


def test_the_api_gives_qa_the_validity_and_never_the_shopper(client: TestClient, session: Session,
                                                             doubtful: Audit, shopper: User, qa: User) -> None:
    as_user(client, qa)
    for_qa = client.get(f"/api/v1/audits/{doubtful.id}").json()
    as_user(client, shopper)
    for_shopper = client.get(f"/api/v1/audits/{doubtful.id}").json()

    assert for_qa["validity"]["verdict"] == "doubtful"
    assert for_qa["validity"]["reasons"] == [{"code": "submitted_late", "severity": "doubtful",
                                              "message": "submitted 9 days after the visit"}]
    assert set(for_qa["validity"]["facts"]) == {"visit", "checkin", "photos", "recordings", "submission"}
    assert "validity" not in for_shopper and for_shopper["id"] == doubtful.id


def test_the_shopper_quality_page_shows_the_share_of_doubtful_visits(
        client: TestClient, session: Session, doubtful: Audit, shopper: User, clinic, qa: User) -> None:  # type: ignore[no-untyped-def]
    submit_visit(session, make_audit(session, shopper=shopper, clinic=clinic))
    as_user(client, qa)

    row = next(r for r in quality.shopper_quality(session).rows if r.user_id == shopper.id)
    page = client.get("/review/shoppers").text

    assert (row.checked, row.doubtful, row.doubtful_share) == (2, 1, 0.5)
    assert "50 % <span class=\"muted\">(1/2)</span>" in page


def test_the_report_marks_an_audit_approved_despite_doubt(client: TestClient, session: Session,
                                                          doubtful: Audit, qa: User) -> None:
    review_audit(session, audit=doubtful, reviewer=qa, decision="approve", reason="Checked by phone.")
    as_user(client, qa)

    body = client.get(f"/api/v1/reports/clinics/{doubtful.clinic_id}").json()
    page = client.get(f"/reports/clinics/{doubtful.clinic_id}").text

    assert body["audits_behind"] == [{"id": doubtful.id, "date": body["audits_behind"][0]["date"],
                                      "approved_despite_doubt": True}]
    assert "approved despite doubt" in page


def test_qa_edits_a_waves_rules_and_checks_a_report_again(client: TestClient, session: Session,
                                                          doubtful: Audit, qa: User) -> None:
    as_user(client, qa)
    url = f"/review/validity/rules/{doubtful.wave_id}"
    token = csrf_from(client.get(url).text)

    bad = client.post(url, data={"submit_delay_days": "-1", "csrf_token": token})
    saved = client.post(url, data={"submit_delay_days": "10", "submit_delay": "doubtful", "csrf_token": token})
    again = client.post(f"/review/audits/{doubtful.id}/validity", data={"csrf_token": token})
    page = client.get(f"/review/audits/{doubtful.id}").text

    assert bad.status_code == 422 and "submit_delay_days" in bad.text
    assert saved.status_code == 303 and again.status_code == 303
    assert rules.rules_for(session, doubtful.wave_id).submit_delay_days == 10
    assert 'data-verdict="valid"' in page and 'class="validity-reasons"' not in page


def test_the_rules_page_without_a_wave_id_opens_the_latest_wave(client: TestClient, session: Session,
                                                                audit: Audit, qa: User) -> None:
    as_user(client, qa)

    response = client.get("/review/validity/rules")

    latest = max(session.exec(select(Wave)).all(), key=lambda w: (w.starts_on, w.id or 0))
    assert response.status_code == 303 and response.headers["location"].endswith(f"/rules/{latest.id}")


def test_an_unknown_wave_has_no_rules_page(client: TestClient, qa: User) -> None:
    as_user(client, qa)

    assert client.get("/review/validity/rules/999999").status_code == 404
