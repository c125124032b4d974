"""The demo network shows a believable plan: fixes verified in the last wave, open and overdue ones,
one awaiting a visit, ideas, and one regression."""

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actions.boards import is_overdue
from app.actions.models import Action, ActionEvent
from app.clinics.models import Clinic
from app.demo.network import PASSWORD
from app.demo.seed import seed_demo
from app.fieldwork.models import Audit, Wave
from tests.web import log_in


def test_the_demo_plan_has_verified_fixes_open_ones_ideas_and_one_regression(session: Session) -> None:
    seed_demo(session)

    actions = session.exec(select(Action)).all()
    statuses = dict(session.exec(select(Action.status, func.count()).group_by(col(Action.status))).all())
    last_wave = session.exec(select(Wave).order_by(col(Wave.starts_on).desc())).first()
    verified = [a for a in actions if a.status == "verified"]
    proofs = {a.id: session.get(Audit, a.verified_by_audit_id) for a in verified}

    assert len(verified) >= 2 and all(p is not None and p.wave_id == last_wave.id for p in proofs.values())
    assert statuses.get("open", 0) >= 2 and statuses.get("in_progress", 0) >= 1 and statuses.get("done", 0) >= 1
    assert any(is_overdue(a, session.get(Clinic, a.clinic_id)) for a in actions)
    assert any(a.kind == "idea" for a in actions)
    regressions = session.exec(select(ActionEvent).where(ActionEvent.field == "regression")).all()
    assert len(regressions) == 1 and sum(a.regressions for a in actions) == 1


def test_the_demo_plan_pages_render_for_the_manager_and_the_director(client: TestClient, session: Session) -> None:
    seed_demo(session)
    arbat = session.exec(select(Clinic).where(Clinic.name == "Арбат")).one()

    log_in(client, "manager@demo.test", PASSWORD)
    home = client.get("/actions")
    journey = client.get(f"/reports/clinics/{arbat.id}/journey")
    client.cookies.clear()
    log_in(client, "director@demo.test", PASSWORD)
    board = client.get("/actions")
    improved = client.get("/actions/improved")

    assert home.status_code == 200 and "Арбат" in home.text
    assert journey.status_code == 200 and "sticker red" in journey.text and "sticker idea" in journey.text
    # The demo people read Russian: look for the marks, not the English words.
    assert board.status_code == 200 and "badge bad regression" in board.text and "badge bad overdue" in board.text
    assert improved.status_code == 200 and 'class="big-number"' in improved.text and "/actions/" in improved.text
