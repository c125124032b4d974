"""Stored scores: written once per approved audit, the same figures as computed from the answers."""

import pytest
from sqlmodel import Session, func, select

from app.reports import score_store
from app.reports.models import ScoredAudit, ScoredTouchpoint
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit


def test_scores_are_stored_once_for_approved_audits_only(session: Session, network: Network) -> None:
    checklist_id = network.version.checklist_id

    first = score_store.store_scores(session, checklist_id=checklist_id)
    again = score_store.store_scores(session, checklist_id=checklist_id)

    assert (first, again) == (5, 0)  # Alpha 3, Beta 1, Rival 1; submitted/rejected/draft are not scored
    stored = {row.audit_id: row for row in session.exec(select(ScoredAudit)).all()}
    a1, a2, a3 = network.a_audits
    assert stored[a1.id].score == 75.0 and stored[a1.id].flagged == 0
    assert stored[a2.id].score == pytest.approx(175 / 3) and stored[a2.id].flagged == 1
    assert stored[a3.id].score == 25.0
    touchpoints = {(r.audit_id, r.touchpoint_key): r.score for r in session.exec(select(ScoredTouchpoint)).all()}
    assert touchpoints[(a2.id, "call")] == 25.0 and touchpoints[(a2.id, "reception")] == 75.0


def test_an_audit_approved_later_is_scored_by_the_next_report(session: Session, network: Network) -> None:
    score_store.store_scores(session, checklist_id=network.version.checklist_id)
    late = make_audit(session, version=network.version, clinic=network.b, wave=network.wave, answers=PERFECT)

    scored = score_store.store_scores(session, checklist_id=network.version.checklist_id,
                                      wave_ids=[network.wave.id or 0])

    assert scored == 1
    assert session.get(ScoredAudit, late.id).score == 100.0  # type: ignore[union-attr]


def test_an_audit_without_scored_answers_is_stored_with_no_score(session: Session, network: Network) -> None:
    empty = make_audit(session, version=network.version, clinic=network.b, wave=network.wave,
                       answers={"call.mood": 2, "reception.notes": "nothing to score"})

    score_store.store_scores(session, checklist_id=network.version.checklist_id)

    row = session.get(ScoredAudit, empty.id)
    assert row is not None and row.score is None
    count = session.exec(select(func.count()).select_from(ScoredTouchpoint)
                         .where(ScoredTouchpoint.audit_id == empty.id)).one()
    assert count == 0
