"""The demo network shows a believable plan: fixes verified in the last wave, open and overdue ones,
one awaiting a visit, ideas, and one regression."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.actions.boards import is_overdue
from app.actions.models import Action, ActionEvent
from app.demo.seed import seed_demo
from app.fieldwork.models import Audit, Wave


def test_the_demo_plan_has_verified_fixes_open_ones_ideas_and_one_regression(session: Session) -> None:
    seed_demo(session)

    actions = session.exec(select(Action)).all()
    statuses = dict(session.exec(select(Action.status, func.count()).group_by(col(Action.status))).all())
    last_wave = session.exec(select(Wave).order_by(col(Wave.starts_on).desc())).first()
    verified = [a for a in actions if a.status == "verified"]
    proofs = {a.id: session.get(Audit, a.verified_by_audit_id) for a in verified}

    assert len(verified) >= 2 and all(p is not None and p.wave_id == last_wave.id for p in proofs.values())
    assert statuses.get("open", 0) >= 2 and statuses.get("in_progress", 0) >= 1 and statuses.get("done", 0) >= 1
    assert any(is_overdue(a) for a in actions)
    assert any(a.kind == "idea" for a in actions)
    regressions = session.exec(select(ActionEvent).where(ActionEvent.field == "regression")).all()
    assert len(regressions) == 1 and sum(a.regressions for a in actions) == 1
