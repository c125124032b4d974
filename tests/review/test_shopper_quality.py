from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.review.quality import shopper_quality
from app.review.service import review_audit
from tests.factories import PASSWORD, make_user
from tests.review.builders import make_draft, make_submitted, submit
from tests.web import log_in


def test_shopper_quality_figures_on_a_small_hand_made_set(session: Session) -> None:
    anna = make_user(session, Role.shopper, name="Anna")
    idle = make_user(session, Role.shopper, name="Boris")
    qa = make_user(session, Role.qa_lead)
    approved = make_submitted(session, shopper=anna)  # 3 h after the visit (builders default)
    review_audit(session, audit=approved, reviewer=qa, decision="approve")
    rejected = make_draft(session, shopper=anna)
    submit(session, rejected, hours_after=1)
    review_audit(session, audit=rejected, reviewer=qa, decision="reject", reason="recognised")
    late = make_draft(session, shopper=anna, window_end=date(2026, 3, 2))
    submit(session, late, hours_after=30)  # visit on 2 March, submitted on 3 March: after the window
    review_audit(session, audit=late, reviewer=qa, decision="return", reason="photo")
    submit(session, late, hours_after=40)
    review_audit(session, audit=late, reviewer=qa, decision="approve")
    make_draft(session, shopper=anna)  # not submitted: not a visit done

    rows = {row.name: row for row in shopper_quality(session).rows}

    a = rows["Anna"]
    assert (a.visits, a.approved, a.returned, a.rejected, a.late) == (3, 2, 1, 1, 1)
    assert a.median_hours == 3.0  # of 1, 3 and 40 hours
    b = rows["Boris"]
    assert (b.visits, b.approved, b.returned, b.rejected, b.late, b.median_hours) == (0, 0, 0, 0, 0, None)
    assert idle.id == b.user_id


def test_quality_page_renders_and_deactivates_a_shopper(session: Session, client: TestClient) -> None:
    shopper = make_user(session, Role.shopper, name="Anna")
    make_submitted(session, shopper=shopper)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    page = client.get("/review/shoppers")
    fragment = client.get("/review/shoppers", headers={"HX-Request": "true"})
    response = client.post(f"/review/shoppers/{shopper.id}/active", data={"active": "0"})

    assert page.status_code == 200 and "Anna" in page.text and "<html" in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="shopper-quality"' in fragment.text
    assert response.status_code == 303
    session.refresh(shopper)
    assert shopper.active is False
    assert "deactivated" in client.get(response.headers["location"]).text


def test_qa_cannot_deactivate_someone_who_is_not_a_shopper(session: Session, client: TestClient) -> None:
    director = make_user(session, Role.director)
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    response = client.post(f"/review/shoppers/{director.id}/active", data={"active": "0"})

    assert response.status_code == 404
    session.refresh(director)
    assert director.active is True
