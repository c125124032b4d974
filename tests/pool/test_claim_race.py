"""Twenty shoppers tap "claim" on the same visit at the same moment: exactly one gets it."""

import threading
from collections import Counter

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User
from app.fieldwork.models import Assignment
from app.pool import board
from app.pool.models import BoardVisit
from tests.factories import make_user
from tests.pool.helpers import published, ruled_wave

CLAIMANTS = 20


def test_of_twenty_parallel_claims_exactly_one_wins(own_engine: Engine) -> None:
    with Session(own_engine) as session:
        visit_id = published(session, wave=ruled_wave(session)).id
        shopper_ids = [make_user(session, Role.shopper).id for _ in range(CLAIMANTS)]
        session.commit()
    start = threading.Barrier(CLAIMANTS)
    results: list[str] = []

    def claim(shopper_id: int | None) -> None:
        with Session(own_engine) as session:
            start.wait()
            try:
                visit = session.get(BoardVisit, visit_id)
                shopper = session.get(User, shopper_id)
                assert visit is not None and shopper is not None
                board.claim_visit(session, board_visit=visit, shopper=shopper)
                session.commit()
                results.append("won")
            except board.ClaimedByOther:
                session.rollback()
                results.append("lost")
            except Exception as error:  # noqa: BLE001 - any other outcome fails the test below
                session.rollback()
                results.append(f"error: {error!r}")

    threads = [threading.Thread(target=claim, args=(sid,)) for sid in shopper_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    with Session(own_engine) as session:
        visit = session.get(BoardVisit, visit_id)
        assignments = session.exec(select(func.count(col(Assignment.id)))).one()
    assert Counter(results) == Counter({"won": 1, "lost": CLAIMANTS - 1})
    assert assignments == 1
    assert visit is not None and visit.status == "claimed" and visit.assignment_id is not None
