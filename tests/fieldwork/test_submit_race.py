"""Saves racing a submit (issue 12): both take the audit's row lock first (audits.lock), so each save
either lands before the submit, and is in what QA receives, or is refused with 409 — never
acknowledged after the report was submitted. Real threads against a database of its own, committing
for real, on SQLite and PostgreSQL."""

import io
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.checklists.models import Item
from app.errors import DomainError
from app.fieldwork import evidence
from app.fieldwork.answers import record_answer
from app.fieldwork.audits import AuditNotEditable, is_editable
from app.fieldwork.models import Answer, Audit
from app.fieldwork.submission import submit_audit
from app.fieldwork.visits import set_visit_times
from tests.factories import make_user
from tests.fieldwork.helpers import answer_all, make_audit, picture

SAVERS, ROUNDS, TRIES = 6, 3, 500  # TRIES: a cap; every saver meets the submit long before


def _answer_time(session: Session, audit_id: int) -> float | None:
    return session.exec(select(Answer.value_num).join(Item, col(Item.id) == Answer.item_id)
                        .where(Answer.audit_id == audit_id, Item.key == "call.answer_time")).one()


EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _save_answer(db: Session, audit: Audit, value: float) -> None:
    record_answer(db, audit=audit, item_key="call.answer_time", value=value)


def _save_visit_start(db: Session, audit: Audit, value: float) -> None:
    set_visit_times(db, audit=audit, started_at=EPOCH + timedelta(seconds=value), ended_at=None)


def _visit_start(session: Session, audit_id: int) -> float | None:
    started = session.exec(select(Audit.visit_started_at).where(Audit.id == audit_id)).one()
    return (started.astimezone(UTC) - EPOCH).total_seconds() if started else None


# What a saver writes and how the stored value is read back: an answer, and the visit's start time.
KINDS: dict[str, tuple[Callable[[Session, Audit, float], None], Callable[[Session, int], float | None]]] = {
    "answer": (_save_answer, _answer_time), "visit time": (_save_visit_start, _visit_start)}


def _race(engine: Engine, kind: str) -> None:
    write, read = KINDS[kind]
    with Session(engine, expire_on_commit=False) as setup:
        audit = make_audit(setup, shopper=make_user(setup, Role.shopper))
        answer_all(setup, audit)
        evidence.add_evidence(setup, audit=audit, upload=io.BytesIO(picture()), item_key="reception.photo")
        setup.commit()
    values = itertools.count(100)  # every save writes a value of its own
    lock = threading.Lock()
    acknowledged: list[float] = []
    refused: list[DomainError] = []
    failures: list[BaseException] = []
    submitted: list[float | None] = []
    some_saved = threading.Event()

    def save() -> None:
        try:
            for _ in range(TRIES):
                with lock:
                    value = float(next(values))
                with Session(engine, expire_on_commit=False) as db:
                    mine = db.get(Audit, audit.id)  # as the request's dependency loads it
                    assert mine is not None
                    if not is_editable(mine):
                        raise AuditNotEditable()
                    write(db, mine, value)
                    db.commit()
                with lock:
                    acknowledged.append(value)  # the phone is told "saved" now
                some_saved.set()
        except AuditNotEditable as no:
            with lock:
                refused.append(no)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    def submit() -> None:
        try:
            some_saved.wait(10)
            with Session(engine, expire_on_commit=False) as db:
                mine = db.get(Audit, audit.id)
                assert mine is not None
                submit_audit(db, audit=mine)
                submitted.append(read(db, audit.id or 0))  # what QA receives
                db.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=save) for _ in range(SAVERS)] + [threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert failures == []
    assert len(submitted) == 1 and acknowledged, "the submit ran while saves were still coming"
    assert len(refused) == SAVERS  # every saver was still saving when the submit landed
    assert all(no.status_code == 409 and no.text() == "This audit was submitted and can no longer be changed."
               for no in refused)
    with Session(engine) as check:
        stored = read(check, audit.id or 0)
        status = check.get(Audit, audit.id)
        assert status is not None and status.status == "submitted" and status.submission_count == 1
    # Every save writes its own value: one acknowledged after the submit would be stored instead.
    assert stored == submitted[0] and stored in acknowledged


@pytest.mark.parametrize("kind", list(KINDS))
def test_saves_racing_a_submit_land_before_it_or_are_refused_with_409(own_engine: Engine, kind: str) -> None:
    for _ in range(ROUNDS):
        _race(own_engine, kind)
