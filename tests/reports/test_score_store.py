"""Stored scores: written once per approved audit, the same figures as computed from the answers."""

from datetime import timedelta
from statistics import fmean

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.db_types import utcnow
from app.jobs import queue
from app.reports import queries, score_store
from app.reports.models import ScoredAudit, ScoredTouchpoint
from app.reports.queries import AuditFilter
from app.reports.tasks import store_scores_of
from tests.actions.conftest import World, approved_visit
from tests.factories import PASSWORD, make_user
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit
from tests.web import log_in


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


def test_approval_through_the_review_gate_queues_a_job_that_stores_the_scores_before_any_report(
        client: TestClient, session: Session, world: World) -> None:
    visited = utcnow() - timedelta(days=1)
    audits = [approved_visit(session, world, at=visited,
                             changes={"call.greeting": False, "reception.wait": "medium", "call.answer_time": 35}),
              approved_visit(session, world, at=visited, changes={"reception.politeness": 2})]
    ids = [a.id or 0 for a in audits]
    queued = [t.args[0] for t in queue.huey.pending() if t.name == "store_audit_scores"]
    assert set(ids) <= set(queued)

    for audit_id in ids:  # what the worker runs, in the test's transaction
        store_scores_of(session, audit_id=audit_id)

    stored = {r.audit_id: r for r in session.exec(select(ScoredAudit).where(col(ScoredAudit.audit_id).in_(ids)))}
    stored_tps = {(r.audit_id, r.touchpoint_key): (r.score, r.flagged) for r in session.exec(
        select(ScoredTouchpoint).where(col(ScoredTouchpoint.audit_id).in_(ids)))}

    assert set(stored) == set(ids)  # stored by the approvals: no report has been read yet
    checklist_id = stored[ids[0]].checklist_id
    assert score_store.store_scores(session, checklist_id=checklist_id) == 0
    where = AuditFilter(checklist_id, [world.wave.id or 0], [world.clinic.id or 0])
    computed = queries.computed_touchpoint_scores(where)
    computed_tps = {(r.audit_id, r.touchpoint_key): (r.score, r.flagged)
                    for r in session.execute(select(computed)).all()}
    assert stored_tps.keys() == computed_tps.keys()
    for key, (score, flagged) in computed_tps.items():
        assert stored_tps[key] == (pytest.approx(score), flagged)
    assert computed_tps[(ids[0], "call")] == (pytest.approx(25.0), 1)  # the critical greeting failed
    computed_audits = {r.audit_id: r.score for r in session.execute(queries.computed_audit_scores(computed)).all()}
    assert {k: v.score for k, v in stored.items()} == pytest.approx(computed_audits)
    log_in(client, make_user(session, "admin").email, PASSWORD)
    report = client.get(f"/api/v1/reports/clinics/{world.clinic.id}").json()
    assert report["audits"] == 2 and report["score"] == pytest.approx(fmean(computed_audits.values()))
    by_touchpoint = {t["key"]: t["score"] for t in report["touchpoints"]}
    for key in ("call", "reception"):
        assert by_touchpoint[key] == pytest.approx(fmean(computed_tps[(i, key)][0] for i in ids))
