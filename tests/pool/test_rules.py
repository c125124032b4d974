"""Each rule of who may visit where refuses with its own reason, on a claim and on direct assignment."""

import io
from datetime import date

import pytest
from sqlmodel import Session, select

from app.accounts.models import Role
from app.checklists.models import Checklist
from app.fieldwork import assignments, evidence, submission
from app.fieldwork.models import Assignment
from app.pool import board, certification, rules
from app.review import service as review
from tests.factories import make_clinic, make_user
from tests.fieldwork.helpers import answer_all, make_audit, picture
from tests.pool.helpers import SLUG, published, ruled_wave


def _rule_of(error: pytest.ExceptionInfo[rules.RuleRefused]) -> str:
    return error.value.detail[0]["rule"]


def test_a_claimable_visit_becomes_the_shoppers_assignment_with_the_board_fee(session: Session) -> None:
    from app.money import terms

    shopper = make_user(session, Role.shopper)
    visit = published(session, wave=ruled_wave(session), fee="1750.00")

    assignment = board.claim_visit(session, board_visit=visit, shopper=shopper)

    assert assignment.shopper_id == shopper.id and visit.assignment_id == assignment.id
    assert str(terms.terms_of(session, assignment).fee) == "1750.00"


def test_a_second_visit_to_the_clinic_within_the_waves_days_is_refused(session: Session) -> None:
    wave = ruled_wave(session, revisit_days=30)
    shopper, clinic = make_user(session, Role.shopper), make_clinic(session)
    board.claim_visit(session, board_visit=published(session, wave=wave, clinic=clinic,
                                                     window_start=date(2026, 11, 1)), shopper=shopper)
    again = published(session, wave=wave, clinic=clinic, window_start=date(2026, 11, 20))

    with pytest.raises(rules.RuleRefused) as refused:
        board.claim_visit(session, board_visit=again, shopper=shopper)

    assert _rule_of(refused) == "revisit"
    assert "30 days" in refused.value.detail[0]["message"]


def test_a_visit_far_enough_apart_is_allowed(session: Session) -> None:
    wave = ruled_wave(session, revisit_days=10)
    shopper, clinic = make_user(session, Role.shopper), make_clinic(session)
    board.claim_visit(session, board_visit=published(session, wave=wave, clinic=clinic,
                                                     window_start=date(2026, 11, 1)), shopper=shopper)

    later = board.claim_visit(session, board_visit=published(session, wave=wave, clinic=clinic,
                                                             window_start=date(2026, 11, 11)), shopper=shopper)

    assert later.shopper_id == shopper.id


def test_a_shopper_recognised_at_a_clinic_is_blocked_there(session: Session) -> None:
    shopper, clinic, qa = make_user(session, Role.shopper), make_clinic(session), make_user(session, Role.qa_lead)
    audit = make_audit(session, shopper=shopper, clinic=clinic)
    answer_all(session, audit)
    evidence.add_evidence(session, audit=audit, upload=io.BytesIO(picture()), item_key="reception.photo")
    submission.submit_audit(session, audit=audit)
    review.review_audit(session, audit=audit, reviewer=qa, decision="reject", reason="The admin knew her",
                        reason_code="recognised")

    with pytest.raises(rules.RuleRefused) as refused:
        board.claim_visit(session, board_visit=published(session, wave=ruled_wave(session), clinic=clinic),
                          shopper=shopper)

    assert _rule_of(refused) == "recognised"
    assert clinic.name in refused.value.detail[0]["message"]


def test_the_waves_visit_limit_refuses_one_more(session: Session) -> None:
    wave, shopper = ruled_wave(session, max_visits=1), make_user(session, Role.shopper)
    board.claim_visit(session, board_visit=published(session, wave=wave), shopper=shopper)

    with pytest.raises(rules.RuleRefused) as refused:
        board.claim_visit(session, board_visit=published(session, wave=wave), shopper=shopper)

    assert _rule_of(refused) == "max_visits"


def test_an_uncertified_shopper_is_refused_until_qa_certifies_them(session: Session) -> None:
    wave, shopper = ruled_wave(session, certification_required=True), make_user(session, Role.shopper)
    visit = published(session, wave=wave)
    checklist = session.exec(select(Checklist).where(Checklist.slug == SLUG)).one()

    with pytest.raises(rules.RuleRefused) as refused:
        board.claim_visit(session, board_visit=visit, shopper=shopper)
    certification.certify(session, shopper=shopper, checklist=checklist, actor=make_user(session, Role.qa_lead))
    claimed = board.claim_visit(session, board_visit=visit, shopper=shopper)

    assert _rule_of(refused) == "certification"
    assert claimed.shopper_id == shopper.id


def test_passing_the_quiz_certifies_and_a_wrong_answer_does_not(session: Session) -> None:
    shopper = make_user(session, Role.shopper)
    published(session, wave=ruled_wave(session))
    checklist = session.exec(select(Checklist).where(Checklist.slug == SLUG)).one()
    questions = certification.quiz(session, shopper=shopper, checklist=checklist)
    right = {q.item_key: q.answer for q in questions}
    wrong = {**right, questions[0].item_key: next(k for k, _ in questions[0].options if k != questions[0].answer)}

    with pytest.raises(certification.QuizFailed):
        certification.take_quiz(session, shopper=shopper, checklist=checklist, answers=wrong)
    certification.take_quiz(session, shopper=shopper, checklist=checklist, answers=right)

    assert len(questions) == 3
    assert rules.is_certified(session, shopper_id=shopper.id or 0, checklist_id=checklist.id or 0)


def test_direct_assignment_obeys_the_same_rules(session: Session) -> None:
    wave, shopper = ruled_wave(session, max_visits=1), make_user(session, Role.shopper)
    make_audit(session, shopper=shopper, wave=wave)

    with pytest.raises(rules.RuleRefused) as refused:
        assignments.assign_visit(session, wave=wave, clinic=make_clinic(session), checklist_slug="test-clinic",
                                 scenario=None, shopper=shopper)

    assert _rule_of(refused) == "max_visits"


def test_an_inactive_shopper_sees_nothing_on_the_board(session: Session) -> None:
    shopper = make_user(session, Role.shopper)
    published(session, wave=ruled_wave(session))
    shopper.active = False

    cards = board.board_for(session, shopper=shopper)

    assert cards.rows == [] and cards.next_cursor is None


def test_the_board_shows_a_shopper_why_a_visit_is_not_for_them(session: Session) -> None:
    wave, shopper = ruled_wave(session, certification_required=True), make_user(session, Role.shopper)
    published(session, wave=wave)

    cards = board.board_for(session, shopper=shopper)

    assert [c.refusal.rule if c.refusal else None for c in cards.rows] == ["certification"]
    assert board.claimable_for(session, shopper=shopper).rows == []


def test_a_claimed_visit_is_refused_to_the_next_shopper_and_repeated_for_the_winner(session: Session) -> None:
    winner, loser = make_user(session, Role.shopper), make_user(session, Role.shopper)
    visit = published(session, wave=ruled_wave(session))
    first = board.claim_visit(session, board_visit=visit, shopper=winner)

    again = board.claim_visit(session, board_visit=visit, shopper=winner)
    with pytest.raises(board.ClaimedByOther):
        board.claim_visit(session, board_visit=visit, shopper=loser)

    assert again.id == first.id
    assert len(session.exec(select(Assignment).where(Assignment.id == first.id)).all()) == 1
