import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.fieldwork.models import Assignment, Audit
from app.planning import service
from app.planning.service import NotCancellable, NotReassignable
from app.review.service import review_audit
from tests.factories import PASSWORD, make_clinic, make_user
from tests.review.builders import SLUG, answer, ensure_checklist, make_draft, make_submitted, make_wave
from tests.web import log_in


def _qa(session: Session, client: TestClient) -> None:
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)


def _live(session: Session, wave_id: int) -> list[Assignment]:
    return list(session.exec(select(Assignment).where(Assignment.wave_id == wave_id,
                                                      col(Assignment.cancelled_at).is_(None))
                             .order_by(col(Assignment.id))).all())


def test_creating_a_wave_through_the_form_opens_its_board(session: Session, client: TestClient) -> None:
    _qa(session, client)

    response = client.post("/waves", data={"name": "2026 Q4", "starts_on": "2026-10-01",
                                           "ends_on": "2026-12-31", "visits_per_clinic": "3"})

    assert response.status_code == 303
    board = client.get(response.headers["location"])
    assert board.status_code == 200 and "2026 Q4" in board.text and "The wave was created" in board.text
    assert "2026 Q4" in client.get("/waves").text


def test_a_wave_that_ends_before_it_starts_is_refused_on_the_page(session: Session,
                                                                   client: TestClient) -> None:
    _qa(session, client)

    response = client.post("/waves", data={"name": "Backwards", "starts_on": "2026-10-01",
                                           "ends_on": "2026-09-01", "visits_per_clinic": "1"})

    assert response.status_code == 422
    assert "ends before it starts" in response.text and 'value="Backwards"' in response.text


def test_bulk_assign_round_robin_never_sends_a_shopper_twice_to_a_clinic(session: Session,
                                                                         client: TestClient) -> None:
    ensure_checklist(session)
    wave = make_wave(session)
    clinics = [make_clinic(session), make_clinic(session), make_clinic(session)]
    shoppers = [make_user(session, Role.shopper), make_user(session, Role.shopper)]
    _qa(session, client)

    response = client.post(f"/waves/{wave.id}/assign", data={
        "clinic": [c.id for c in clinics], "shopper": [s.id for s in shoppers], "checklist": SLUG,
        "scenario": "", "window_start": "2026-03-01", "window_end": "", "visits": "2"})

    assert response.status_code == 303, response.text
    live = _live(session, wave.id or 0)
    assert len(live) == 6
    pairs = [(a.clinic_id, a.shopper_id) for a in live]
    assert len(set(pairs)) == 6  # every clinic got both shoppers, once each
    assert {a.shopper_id for a in live[:2]} == {s.id for s in shoppers}
    assert all(a.window_end is None and str(a.window_start) == "2026-03-01" for a in live)
    audits = session.exec(select(Audit).where(col(Audit.assignment_id).in_([a.id for a in live]))).all()
    assert len(audits) == 6 and {a.status for a in audits} == {"draft"}


def test_bulk_assign_skips_a_shopper_already_going_to_the_clinic(session: Session) -> None:
    wave = make_wave(session)
    clinic = make_clinic(session)
    first, second = make_user(session, Role.shopper), make_user(session, Role.shopper)
    make_draft(session, wave=wave, clinic=clinic, shopper=first)

    created = service.bulk_assign(session, wave=wave, clinic_ids=[clinic.id or 0],
                                  shopper_ids=[first.id or 0, second.id or 0], checklist_slug=SLUG)

    assert [a.shopper_id for a in created] == [second.id]


def test_bulk_assign_without_shoppers_changes_nothing(session: Session, client: TestClient) -> None:
    ensure_checklist(session)
    wave = make_wave(session)
    clinic = make_clinic(session)
    _qa(session, client)

    response = client.post(f"/waves/{wave.id}/assign", data={"clinic": [clinic.id], "checklist": SLUG})

    assert response.status_code == 422
    assert "at least one clinic and one shopper" in response.text
    assert _live(session, wave.id or 0) == []


def test_bulk_assign_with_an_unknown_checklist_leaves_no_half_batch(session: Session) -> None:
    wave = make_wave(session)
    clinic = make_clinic(session)
    shopper = make_user(session, Role.shopper)

    with pytest.raises(Exception) as error:
        service.bulk_assign(session, wave=wave, clinic_ids=[clinic.id or 0], shopper_ids=[shopper.id or 0],
                            checklist_slug="no-such-checklist")

    assert getattr(error.value, "status_code", None) == 404
    assert _live(session, wave.id or 0) == []


def test_an_untouched_draft_can_be_reassigned(session: Session, client: TestClient) -> None:
    audit = make_draft(session)
    other = make_user(session, Role.shopper)
    _qa(session, client)

    response = client.post(f"/assignments/{audit.assignment_id}/reassign", data={"shopper": other.id})

    assert response.status_code == 303
    session.refresh(audit)
    assignment = session.get(Assignment, audit.assignment_id)
    assert audit.shopper_id == other.id and assignment is not None and assignment.shopper_id == other.id


def test_a_started_draft_cannot_be_reassigned(session: Session) -> None:
    audit = make_draft(session)
    answer(session, audit, "call.greeting", num=1)
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None

    with pytest.raises(NotReassignable):
        service.reassign(session, assignment=assignment, shopper_id=make_user(session, Role.shopper).id or 0,
                         actor=None)


def test_cancelling_a_draft_removes_its_audit_and_keeps_the_assignment(session: Session,
                                                                       client: TestClient) -> None:
    audit = make_draft(session)
    answer(session, audit, "call.greeting", num=0)
    audit_id, assignment_id = audit.id, audit.assignment_id
    _qa(session, client)

    response = client.post(f"/assignments/{assignment_id}/cancel")

    assert response.status_code == 303
    session.expire_all()
    assert session.get(Audit, audit_id) is None
    assignment = session.get(Assignment, assignment_id)
    assert assignment is not None and assignment.cancelled_at is not None


def test_a_submitted_visit_cannot_be_cancelled(session: Session, client: TestClient) -> None:
    audit = make_submitted(session)
    assignment = session.get(Assignment, audit.assignment_id)
    assert assignment is not None

    with pytest.raises(NotCancellable):
        service.cancel_assignment(session, assignment=assignment, actor=None)
    _qa(session, client)
    response = client.post(f"/assignments/{assignment.id}/cancel")

    assert response.status_code == 409
    assert "already submitted" in response.text


def test_board_and_wave_list_count_planned_assigned_submitted_approved(session: Session,
                                                                       client: TestClient) -> None:
    wave = make_wave(session, visits_per_clinic=2)
    clinic = make_clinic(session, name="Board Clinic")
    approved = make_submitted(session, wave=wave, clinic=clinic)
    review_audit(session, audit=approved, reviewer=make_user(session, Role.qa_lead), decision="approve")
    make_submitted(session, wave=wave, clinic=clinic)
    make_draft(session, wave=wave, clinic=clinic)
    _qa(session, client)

    row = next(r for r in service.wave_board(session, wave).rows if r.clinic.id == clinic.id)
    progress = next(p for p in service.waves_with_progress(session).rows if p.wave.id == wave.id)
    page = client.get(f"/waves/{wave.id}")
    fragment = client.get(f"/waves/{wave.id}", headers={"HX-Request": "true"})
    waves_page = client.get("/waves")

    assert (row.planned, row.assigned, row.submitted, row.approved) == (2, 3, 2, 1)
    assert [v.can_cancel for v in row.visits] == [False, False, True]
    assert (progress.assigned, progress.submitted, progress.approved) == (3, 2, 1)
    assert page.status_code == 200 and "Board Clinic" in page.text and "<html" in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="board"' in fragment.text
    assert waves_page.status_code == 200 and wave.name in waves_page.text


def test_a_shopper_cannot_plan_waves(session: Session, client: TestClient) -> None:
    log_in(client, make_user(session, Role.shopper).email, PASSWORD)

    assert client.get("/waves").status_code == 403
    assert client.post("/waves", data={"name": "x", "starts_on": "2026-01-01",
                                       "ends_on": "2026-01-02"}).status_code == 403
