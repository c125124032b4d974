"""Two reviewers deciding the same audit at the same moment, each in its own session and
transaction with real commits: exactly one decision wins. Runs on a database of its own."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.accounts.models import Role, User
from app.db import make_engine
from app.errors import Conflict
from app.fieldwork.models import Audit, AuditStatus, Review
from app.review.service import review_audit
from tests.database import fresh_database, migrate
from tests.factories import make_user
from tests.review.builders import make_submitted


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    workdir: Path = tmp_path_factory.mktemp("review-race")
    with fresh_database(os.environ.get("TEST_DATABASE_URL"), workdir) as url:
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_two_reviewers_at_once_give_exactly_one_decision(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        audit_id = make_submitted(setup).id
        reviewer_ids = [make_user(setup, Role.qa_lead).id, make_user(setup, Role.qa_lead).id]
        setup.commit()
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def decide(reviewer_id: int, decision: str) -> None:
        with Session(own_engine, expire_on_commit=False) as session:
            audit = session.get(Audit, audit_id)
            reviewer = session.get(User, reviewer_id)
            assert audit is not None and reviewer is not None
            session.commit()  # both pages were loaded while the audit was still waiting
            barrier.wait()
            try:
                review_audit(session, audit=audit, reviewer=reviewer, decision=decision, reason="seen twice")
                session.commit()
                outcomes.append("decided")
            except Conflict as error:
                session.rollback()
                outcomes.append(f"refused: {error.text()}")

    threads = [threading.Thread(target=decide, args=(reviewer_ids[0], "approve")),
               threading.Thread(target=decide, args=(reviewer_ids[1], "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(o.split(":")[0] for o in outcomes) == ["decided", "refused"]
    assert "already" in next(o for o in outcomes if o.startswith("refused"))
    with Session(own_engine) as check:
        reviews = check.exec(select(func.count()).select_from(Review)
                             .where(Review.audit_id == audit_id)).one()
        audit = check.get(Audit, audit_id)
        assert reviews == 1
        assert audit is not None and audit.status in (AuditStatus.approved, AuditStatus.rejected)
