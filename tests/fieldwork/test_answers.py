import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.errors import Conflict, Invalid
from app.fieldwork.answers import AnswerInput, record_answer, record_answers
from app.fieldwork.models import Answer, Audit, AuditStatus
from tests.fieldwork.helpers import make_audit


def _count(session: Session, audit_id: int | None) -> int:
    return session.exec(select(func.count()).select_from(Answer).where(Answer.audit_id == audit_id)).one()


@pytest.mark.parametrize(("key", "value", "num", "text"), [
    ("call.greeting", True, 1.0, None),
    ("call.greeting", "no", 0.0, None),
    ("call.answer_time", "12,5", 12.5, None),
    ("call.answer_time", -3, -3.0, None),
    ("call.mood", -2, -2.0, None),
    ("reception.politeness", "4", 4.0, None),
    ("reception.politeness", 5.0, 5.0, None),
    ("reception.wait", "medium", None, "medium"),
    ("reception.notes", "  Kind staff ", None, "Kind staff"),
])
def test_each_item_type_stores_its_value(session: Session, key: str, value: object, num: float | None,
                                         text: str | None) -> None:
    audit = make_audit(session)

    answer = record_answer(session, audit=audit, item_key=key, value=value)

    assert (answer.value_num, answer.value_text) == (num, text)


@pytest.mark.parametrize(("key", "value"), [
    ("call.greeting", "maybe"),
    ("call.greeting", 1),
    ("call.answer_time", "twelve"),
    ("call.answer_time", "nan"),
    ("call.answer_time", True),
    ("call.mood", 3),
    ("call.mood", 0.5),
    ("reception.politeness", 6),
    ("reception.politeness", 0),
    ("reception.politeness", 2.5),
    ("reception.wait", "forever"),
    ("reception.notes", 42),
    ("reception.notes", "x" * 5001),
    ("reception.photo", "yes"),
])
def test_a_value_the_item_type_does_not_accept_is_invalid(session: Session, key: str, value: object) -> None:
    audit = make_audit(session)

    with pytest.raises(Invalid) as raised:
        record_answer(session, audit=audit, item_key=key, value=value)

    assert raised.value.detail[0]["item"] == key
    assert raised.value.detail[0]["message"]
    assert _count(session, audit.id) == 0


def test_na_is_refused_where_the_item_does_not_allow_it(session: Session) -> None:
    audit = make_audit(session)

    with pytest.raises(Invalid):
        record_answer(session, audit=audit, item_key="call.greeting", value=None, na=True)
    answer = record_answer(session, audit=audit, item_key="call.callback", value=None, na=True)

    assert answer.na and answer.value_num is None


def test_an_unknown_item_is_invalid(session: Session) -> None:
    audit = make_audit(session)

    with pytest.raises(Invalid) as raised:
        record_answer(session, audit=audit, item_key="call.nonsense", value=True)

    assert raised.value.detail == [{"item": "call.nonsense", "message": "There is no such question."}]


def test_saving_the_same_item_twice_leaves_one_row_with_the_last_value(session: Session) -> None:
    audit = make_audit(session)

    record_answer(session, audit=audit, item_key="call.greeting", value=True)
    record_answer(session, audit=audit, item_key="call.greeting", value=False, comment="No name given")

    stored = session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()
    assert len(stored) == 1
    assert (stored[0].value_num, stored[0].comment) == (0.0, "No name given")


def test_a_resent_change_id_is_applied_once(session: Session) -> None:
    audit = make_audit(session)
    record_answer(session, audit=audit, item_key="call.greeting", value=True, client_change_id="c1")
    record_answer(session, audit=audit, item_key="call.greeting", value=False, client_change_id="c2")

    again = record_answer(session, audit=audit, item_key="call.greeting", value=True, client_change_id="c2")

    assert again.value_num == 0.0
    assert _count(session, audit.id) == 1


def test_an_older_edit_by_the_phone_clock_does_not_overwrite_a_newer_one(session: Session) -> None:
    audit = make_audit(session)
    now = datetime.now(UTC)
    record_answer(session, audit=audit, item_key="call.answer_time", value=15, client_changed_at=now)

    late = record_answer(session, audit=audit, item_key="call.answer_time", value=40,
                         client_changed_at=now - timedelta(seconds=30))
    newer = record_answer(session, audit=audit, item_key="call.answer_time", value=18,
                          client_changed_at=now + timedelta(seconds=5))

    assert late.value_num == 18.0 and newer.value_num == 18.0


def test_an_empty_value_clears_the_answer(session: Session) -> None:
    audit = make_audit(session)
    record_answer(session, audit=audit, item_key="call.answer_time", value=15)

    cleared = record_answer(session, audit=audit, item_key="call.answer_time", value="")

    assert cleared.value_num is None and not cleared.na


def test_one_bad_answer_in_a_batch_saves_none_and_lists_each_bad_one(session: Session) -> None:
    audit = make_audit(session)

    with pytest.raises(Invalid) as raised:
        record_answers(session, audit=audit, answers=[
            AnswerInput("call.greeting", True), AnswerInput("call.mood", 9), AnswerInput("nope", 1)])

    assert [p["item"] for p in raised.value.detail] == ["call.mood", "nope"]
    assert _count(session, audit.id) == 0


@pytest.mark.parametrize("status", [AuditStatus.submitted, AuditStatus.approved, AuditStatus.rejected])
def test_answers_cannot_change_after_submit(session: Session, status: str) -> None:
    audit = make_audit(session)
    audit.status = status

    with pytest.raises(Conflict) as raised:
        record_answer(session, audit=audit, item_key="call.greeting", value=True)

    assert raised.value.text() == "This audit was submitted and can no longer be changed."


def test_a_returned_audit_can_be_edited_again(session: Session) -> None:
    audit = make_audit(session)
    audit.status = AuditStatus.returned

    answer = record_answer(session, audit=audit, item_key="call.greeting", value=True)

    assert answer.value_num == 1.0


def test_two_simultaneous_first_saves_of_an_item_leave_one_row(own_engine: Engine) -> None:
    with Session(own_engine, expire_on_commit=False) as setup:
        audit = make_audit(setup)
    first = Session(own_engine, expire_on_commit=False)
    mine = first.get(Audit, audit.id)
    assert mine is not None
    record_answer(first, audit=mine, item_key="call.greeting", value=True)  # inserted, not yet committed
    outcome: list[object] = []

    def second_save() -> None:
        try:
            with Session(own_engine, expire_on_commit=False) as second:
                theirs = second.get(Audit, audit.id)
                assert theirs is not None
                record_answer(second, audit=theirs, item_key="call.greeting", value=False, comment="late")
                second.commit()
                outcome.append("saved")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(error)

    thread = threading.Thread(target=second_save)
    thread.start()
    time.sleep(0.5)  # PostgreSQL: the second insert now waits on the unique index; SQLite: on the write lock
    first.commit()
    first.close()
    thread.join(30)

    assert outcome == ["saved"]
    with Session(own_engine) as check:
        rows = check.exec(select(Answer).where(Answer.audit_id == audit.id)).all()
        assert [(row.value_num, row.comment) for row in rows] == [(0.0, "late")]
