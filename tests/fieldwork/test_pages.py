import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.checklists.versions import item_for
from app.clinics.models import Clinic
from app.fieldwork.models import Answer, Audit, AuditStatus, Review, ReviewComment
from app.fieldwork.submission import missing
from tests.factories import make_user
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import COMPLETE, answer_all, make_audit, picture

HX = {"HX-Request": "true"}


def test_the_form_screen_renders_every_item_type_with_labels(as_shopper: TestClient, audit: Audit) -> None:
    call = as_shopper.get(f"/visits/{audit.id}/t/call")
    reception = as_shopper.get(f"/visits/{audit.id}/t/reception")

    assert call.status_code == 200 and reception.status_code == 200
    html = call.text + reception.text
    for key in ("call.answer_time", "call.greeting", "call.callback", "call.mood", "reception.politeness",
                "reception.wait", "reception.notes", "reception.photo"):
        assert f'id="item-{key}"' in html
    assert 'inputmode="decimal"' in call.text and "data-stopwatch" in call.text and "data-ring" in call.text
    assert call.text.count('type="radio" name="v.call.greeting"') == 2
    assert call.text.count('name="v.call.mood"') == 5 and "😄" in call.text
    assert 'name="na.call.callback"' in call.text and 'name="na.call.greeting"' not in call.text
    assert reception.text.count('name="v.reception.politeness"') == 5
    assert 'accept="image/*" capture="environment"' in reception.text and 'accept="audio/*"' in reception.text
    assert "<legend>" in call.text and "<textarea" in reception.text
    for input_id in re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id


def test_every_item_and_link_sits_on_a_screen_reachable_from_the_visit(as_shopper: TestClient, audit: Audit) -> None:
    page = as_shopper.get(f"/visits/{audit.id}")

    assert page.status_code == 200
    assert f"/visits/{audit.id}/t/call" in page.text and f"/visits/{audit.id}/brief" in page.text
    assert "maps.google.com/?q=" in page.text


def test_an_htmx_item_post_returns_only_that_items_fragment(as_shopper: TestClient, audit: Audit,
                                                            session: Session) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/call.greeting", data={"v.call.greeting": "no"}, headers=HX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="item-call.greeting"')
    assert "<html" not in response.text and 'data-save-state="saved"' in response.text
    assert "saved" in response.text and "required for this answer" in response.text
    answer = session.exec(select(Answer).where(Answer.audit_id == audit.id)).one()
    assert answer.value_num == 0.0


def test_a_bad_item_value_comes_back_as_a_422_fragment_with_the_error(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/reception.politeness",
                               data={"v.reception.politeness": "9"}, headers=HX)

    assert response.status_code == 422
    assert 'data-save-state="invalid"' in response.text and "from 1 to 5" in response.text


def test_an_unknown_item_page_post_is_404(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/nope.nope", data={"value": "1"}, headers=HX)

    assert response.status_code == 404


def test_the_htmx_item_post_attaches_a_photo(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/reception.photo", headers=HX,
                               files={"f.reception.photo": ("desk.jpg", picture(), "image/jpeg")})

    assert response.status_code == 200, response.text
    assert "/thumb" in response.text


def test_without_js_save_and_next_saves_the_whole_touchpoint_and_redirects(as_shopper: TestClient, audit: Audit,
                                                                           session: Session) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/t/call", data={
        "v.call.answer_time": "17", "v.call.greeting": "yes", "na.call.callback": "1", "v.call.mood": "2",
        "c.call.greeting": "", "go": "next"})

    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/visits/{audit.id}/t/reception")
    assert len(session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()) == 4
    reloaded = as_shopper.get(f"/visits/{audit.id}/t/call").text
    assert 'value="17"' in reloaded and 'value="yes" checked' in reloaded


def test_without_js_a_bad_answer_keeps_the_good_ones_and_shows_the_error(as_shopper: TestClient, audit: Audit,
                                                                         session: Session) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/t/call", data={
        "v.call.answer_time": "soon", "v.call.greeting": "yes", "go": "next"})

    assert response.status_code == 422
    assert 'value="soon"' in response.text and "Enter a number." in response.text
    assert len(session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()) >= 1


def test_the_last_screen_leads_to_the_overview_and_back_leads_back(as_shopper: TestClient, audit: Audit) -> None:
    last = as_shopper.post(f"/visits/{audit.id}/t/reception", data={"go": "next"})
    back = as_shopper.post(f"/visits/{audit.id}/t/reception", data={"go": "back"})

    assert last.headers["location"].endswith(f"/visits/{audit.id}/overview")
    assert back.headers["location"].endswith(f"/visits/{audit.id}/t/call")


def test_the_overview_lists_what_is_missing_with_links(as_shopper: TestClient, audit: Audit) -> None:
    page = as_shopper.get(f"/visits/{audit.id}/overview")

    assert page.status_code == 200
    assert f'/visits/{audit.id}/t/call#item-call.greeting' in page.text
    assert f'/visits/{audit.id}/t/reception#item-reception.photo' in page.text


def test_submitting_with_gaps_redirects_to_the_overview_naming_the_questions(as_shopper: TestClient,
                                                                            audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/submit")
    overview = as_shopper.get(response.headers["location"])

    assert response.status_code == 303 and response.headers["location"] == f"/visits/{audit.id}/overview?refused=1"
    assert "Not submitted:" in overview.text and "Still missing" in overview.text
    assert "#item-call.answer_time" in overview.text and "Seconds until answered" in overview.text
    assert ">call.answer_time<" not in overview.text and "<code>" not in overview.text


def test_the_overview_says_not_submitted_only_after_a_refused_submit(as_shopper: TestClient, audit: Audit) -> None:
    page = as_shopper.get(f"/visits/{audit.id}/overview")

    assert "Still missing" in page.text and "Not submitted:" not in page.text


def test_submitting_a_complete_visit_redirects_and_then_the_form_is_read_only(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    answer_all(session, audit)
    as_shopper.post(f"/visits/{audit.id}/items/reception.photo",
                    files={"f.reception.photo": ("desk.png", picture("PNG"), "image/png")})

    response = as_shopper.post(f"/visits/{audit.id}/submit")

    assert response.status_code == 303 and response.headers["location"].endswith(f"/visits/{audit.id}")
    screen = as_shopper.get(f"/visits/{audit.id}/t/call").text
    assert "hx-post" not in screen and 'type="radio"' not in screen and "can no longer be changed" in screen
    assert as_shopper.post(f"/visits/{audit.id}/items/call.greeting", data={"v.call.greeting": "no"},
                           headers=HX).status_code == 409
    assert as_shopper.post(f"/visits/{audit.id}/submit").status_code == 303


def test_home_groups_visits_and_links_the_map(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    someone_elses = make_audit(session)
    answer_all(session, audit, {"call.greeting": True})

    page = as_shopper.get("/visits")

    assert page.status_code == 200
    assert 'id="group-in_progress"' in page.text and f'id="visit-{audit.id}"' in page.text
    assert f'id="visit-{someone_elses.id}"' not in page.text
    assert "https://maps.google.com/?q=Tverskaya+1" in page.text


def test_a_returned_visit_shows_qa_comments_on_the_items_and_opens_again(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    answer_all(session, audit, COMPLETE)
    audit.status, audit.submission_count = AuditStatus.returned, 1
    reviewer = make_user(session, Role.qa_lead)
    review = Review(audit_id=audit.id or 0, reviewer_id=reviewer.id or 0, decision="return",
                    reason="Please add the desk photo", submission_number=1)
    session.add_all([audit, review])
    session.flush()
    item = item_for(session, audit.checklist_version_id, "call.greeting")
    session.add(ReviewComment(review_id=review.id or 0, audit_id=audit.id or 0, item_id=item.id,
                              text="Which name did she give?"))
    session.commit()

    home = as_shopper.get("/visits").text
    screen = as_shopper.get(f"/visits/{audit.id}/t/call").text

    assert 'id="group-returned"' in home and "Please add the desk photo" in home
    assert "Which name did she give?" in screen and "hx-post" in screen


def test_another_shoppers_visit_pages_are_404(as_shopper: TestClient, session: Session) -> None:
    foreign = make_audit(session)

    for path in ("", "/t/call", "/overview", "/brief"):
        assert as_shopper.get(f"/visits/{foreign.id}{path}").status_code == 404
    assert as_shopper.post(f"/visits/{foreign.id}/items/call.greeting", data={"value": "yes"}).status_code == 404


def test_visit_times_and_check_in_are_recorded(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    clinic = session.get(Clinic, audit.clinic_id)
    assert clinic is not None
    clinic.latitude, clinic.longitude = 55.7558, 37.6173
    session.add(clinic)
    session.commit()

    started = as_shopper.post(f"/visits/{audit.id}/times", data={"now": "start"})
    times = as_shopper.post(f"/visits/{audit.id}/times", data={"started_at": "2026-10-02T10:00",
                                                               "ended_at": "2026-10-02T10:45", "tz_offset": "180"})
    checkin = as_shopper.post(f"/visits/{audit.id}/checkin", data={"latitude": "55.7568", "longitude": "37.6173",
                                                                   "accuracy": "12"})

    assert started.status_code == times.status_code == checkin.status_code == 303
    session.refresh(audit)
    assert audit.visit_started_at is not None and audit.visit_started_at.hour == 7
    assert (audit.visit_ended_at - audit.visit_started_at).total_seconds() == 45 * 60
    page = as_shopper.get(f"/visits/{audit.id}").text
    assert "111 m from the clinic" in page


def test_visit_times_ending_before_they_start_are_refused(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/times", data={"started_at": "2026-10-02T10:00",
                                                                  "ended_at": "2026-10-02T09:00"})

    assert response.status_code == 422 and "ends before it starts" in response.text


def test_the_scenario_brief_is_one_tap_away(as_shopper: TestClient, audit: Audit) -> None:
    page = as_shopper.get(f"/visits/{audit.id}/brief")

    assert page.status_code == 200 and "Scenario brief" in page.text


def test_other_roles_cannot_open_the_shopper_pages(client: TestClient, session: Session, audit: Audit) -> None:
    log_in_as(client, session, Role.director)

    assert client.get("/visits").status_code == 403
    assert client.get(f"/visits/{audit.id}").status_code == 403


def test_the_per_item_save_without_js_redirects_back_to_the_item(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/call.mood", data={"v.call.mood": "-2"})

    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/visits/{audit.id}/t/call#item-call.mood")


def test_without_js_the_touchpoint_form_also_takes_the_photo(as_shopper: TestClient, audit: Audit,
                                                             session: Session) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/t/reception",
                               data={"v.reception.politeness": "4", "v.reception.wait": "short", "go": "next"},
                               files={"f.reception.photo": ("desk.webp", picture("WEBP"), "image/webp"),
                                      "a.reception.photo": ("", b"", "application/octet-stream")})

    assert response.status_code == 303
    assert [g.item_key for g in missing(session, audit)] == ["call.answer_time", "call.greeting",
                                                              "call.callback", "call.mood"]


def test_a_page_upload_that_is_not_a_picture_shows_the_error_on_the_item(as_shopper: TestClient,
                                                                          audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/reception.photo", headers=HX,
                               files={"f.reception.photo": ("desk.jpg", b"<html>no</html>", "image/jpeg")})

    assert response.status_code == 422
    assert 'data-save-state="invalid"' in response.text and "not a photo" in response.text


def test_an_item_save_also_refreshes_the_journey_progress(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/call.mood", data={"v.call.mood": "0"}, headers=HX)

    assert 'id="journey"' in response.text and "hx-swap-oob" in response.text and "1/4" in response.text


def test_an_unknown_touchpoint_is_404(as_shopper: TestClient, audit: Audit) -> None:
    assert as_shopper.get(f"/visits/{audit.id}/t/nowhere").status_code == 404
