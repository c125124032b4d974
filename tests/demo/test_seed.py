"""The demo network: believable, varied, and seeded only once."""

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import User
from app.clinics.models import Clinic
from app.demo.seed import seed_demo
from app.fieldwork.models import Answer, Audit, Evidence, Wave
from app.reports.network_report import build_network_report


def _counts(session: Session) -> dict[str, int]:
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (User, Clinic, Wave, Audit, Answer, Evidence)}


def test_seeding_twice_adds_nothing_the_second_time(session: Session) -> None:
    first = seed_demo(session)
    before = _counts(session)

    second = seed_demo(session)

    assert first.created and not second.created
    assert _counts(session) == before
    assert before["Clinic"] >= 8 and before["Wave"] == 3


def test_the_demo_has_every_role_and_every_audit_status_with_most_approved(session: Session) -> None:
    report = seed_demo(session)

    roles = {role for role, _email, _password in report.logins}
    statuses = dict(session.exec(select(Audit.status, func.count()).group_by(Audit.status)).all())

    assert roles == {"admin", "qa_lead", "director", "manager", "shopper"}
    assert set(statuses) == {"draft", "submitted", "returned", "approved", "rejected"}
    assert statuses["approved"] > sum(statuses.values()) / 2
    directors = {u.email: u for u in session.exec(select(User).where(User.role == "director")).all()}
    # Scope fails closed: the network director's whole network is set explicitly, the regional one's is not.
    assert directors["director@demo.test"].whole_network
    assert not directors["director.spb@demo.test"].whole_network


def test_one_branch_is_weak_on_the_call_and_one_improves_wave_over_wave(session: Session) -> None:
    seed_demo(session)
    director = session.exec(select(User).where(User.email == "director@demo.test")).one()

    waves = [build_network_report(session, user=director, wave=name, checklist="aesthetic-clinic")
             for name in ("2026 Q2", "2026 Q3", "2026 Q4")]

    latest = {row["name"]: row for row in waves[-1]["clinics"]}
    call_scores = {name: row["touchpoints"]["call"] for name, row in latest.items() if not row["is_competitor"]}
    assert min(call_scores, key=lambda name: call_scores[name]) == "Сокольники"
    improving = [next(r["score"] for r in w["clinics"] if r["name"] == "Петроградская") for w in waves]
    assert improving[0] < improving[1] < improving[2]


def test_the_demo_has_fees_receipts_and_one_paid_batch(session: Session) -> None:
    from decimal import Decimal

    from app.money.models import LedgerEntry, Payout, Receipt
    from app.pool.models import BoardVisit

    seed_demo(session)

    batches = session.exec(select(Payout)).all()
    statuses = dict(session.exec(select(LedgerEntry.status, func.count()).group_by(LedgerEntry.status)).all())
    receipts = session.exec(select(func.count()).select_from(Receipt)).one()

    assert [b.status for b in batches] == ["paid"] and batches[0].total > Decimal("0.00")
    assert {"paid", "approved", "pending"} <= set(statuses)
    assert receipts > 10
    assert session.exec(select(func.count()).select_from(BoardVisit)).one() == 4
