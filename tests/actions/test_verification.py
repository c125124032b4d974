"""Red to green by audits: a later approved passing visit verifies a done action; a later failing
one reopens it as a regression; earlier visits and unanswered items change nothing."""

from datetime import timedelta

from sqlmodel import Session

from app.actions.models import ActionStatus
from app.actions.service import history_page
from app.db_types import utcnow
from app.web.paging import PageRequest
from tests.actions.conftest import NA, World, approved_visit, gap_action, mark_done


def test_a_gap_walks_from_open_to_verified_when_a_later_approved_audit_passes_it(session: Session,
                                                                                 world: World) -> None:
    action = gap_action(session, world)
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))

    audit = approved_visit(session, world, at=utcnow() - timedelta(days=2))

    assert action.status == ActionStatus.verified
    assert action.verified_by_audit_id == audit.id
    last = history_page(session, action, page=PageRequest()).rows[0][0]
    assert (last.field, last.new, last.audit_id, last.actor_id) == ("status", "verified", audit.id, None)


def test_a_visit_made_before_the_action_was_done_does_not_verify_it(session: Session, world: World) -> None:
    action = gap_action(session, world)
    mark_done(session, world, action, at=utcnow() - timedelta(days=5))

    approved_visit(session, world, at=utcnow() - timedelta(days=20))

    assert action.status == ActionStatus.done
    assert action.verified_by_audit_id is None


def test_a_later_failing_approved_audit_reopens_a_verified_action_as_a_regression(session: Session,
                                                                                  world: World) -> None:
    action = gap_action(session, world)
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))
    approved_visit(session, world, at=utcnow() - timedelta(days=6))

    failing = approved_visit(session, world, at=utcnow() - timedelta(days=2), changes={"call.greeting": False})

    assert action.status == ActionStatus.open
    assert action.regressions == 1
    assert action.verified_by_audit_id is None
    last = history_page(session, action, page=PageRequest()).rows[0][0]
    assert (last.field, last.old, last.new, last.audit_id) == ("regression", "verified", "open", failing.id)


def test_a_failing_visit_leaves_a_done_action_awaiting_a_good_one(session: Session, world: World) -> None:
    action = gap_action(session, world)
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))

    approved_visit(session, world, at=utcnow() - timedelta(days=3), changes={"call.greeting": False})

    assert action.status == ActionStatus.done


def test_an_item_marked_not_applicable_neither_verifies_nor_reopens(session: Session, world: World) -> None:
    action = gap_action(session, world, items=("call.callback",))
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))

    approved_visit(session, world, at=utcnow() - timedelta(days=3), changes={"call.callback": NA})

    assert action.status == ActionStatus.done


def test_choice_and_scale_items_pass_at_or_above_the_touchpoint_target(session: Session, world: World) -> None:
    # reception has no target of its own: the checklist's 80 applies; "medium" scores 0.5 < 0.8
    action = gap_action(session, world, items=("reception.wait", "reception.politeness"))
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))
    approved_visit(session, world, at=utcnow() - timedelta(days=4), changes={"reception.wait": "medium"})
    assert action.status == ActionStatus.done

    approved_visit(session, world, at=utcnow() - timedelta(days=3), changes={"reception.politeness": 5})

    assert action.status == ActionStatus.verified


def test_an_audit_of_another_clinic_changes_nothing(session: Session, world: World) -> None:
    from tests.factories import make_clinic

    action = gap_action(session, world)
    mark_done(session, world, action, at=utcnow() - timedelta(days=10))

    approved_visit(session, world, at=utcnow() - timedelta(days=2), clinic=make_clinic(session))

    assert action.status == ActionStatus.done
