"""Which of two edits of an answer wins (issue 12): one device's edits by its running number, whatever
its clock says (it may have been corrected in between); another device's by the clocks. An edit that
does not win is answered as a conflict with the stored answer, never as saved; resends stay
idempotent; a bad device id or number is a 422 that saves nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.checklists.models import Item
from app.fieldwork.models import Answer, Audit

PHONE, TABLET = "phone-0001-aaaa", "tablet-0002-bbbb"
HX = {"HX-Request": "true"}


def put(client: TestClient, audit: Audit, value: int, change: str, at: str, device: str | None = PHONE,
        seq: Any = None) -> Any:
    answer: dict[str, Any] = {"item": "call.answer_time", "value": value, "client_change_id": change,
                              "client_changed_at": at}
    if device is not None:
        answer |= {"client_device_id": device, "client_seq": seq}
    return client.put(f"/api/v1/audits/{audit.id}/answers", json={"answers": [answer]})


def stored(session: Session, audit: Audit) -> list[tuple[float | None, str | None]]:
    return [(a.value_num, a.client_change_id) for a in session.exec(
        select(Answer).join(Item, col(Item.id) == Answer.item_id)
        .where(Answer.audit_id == audit.id, Item.key == "call.answer_time")
        .execution_options(populate_existing=True)).all()]


def test_a_later_edit_from_the_same_device_wins_though_its_clock_was_set_back(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    put(as_shopper, audit, 10, "first", "2026-11-23T12:00:00Z", seq=1)

    second = put(as_shopper, audit, 20, "second", "2026-11-23T11:00:00Z", seq=2)  # clock corrected back

    assert second.status_code == 200
    assert (second.json()["applied"], second.json()["conflicts"]) == (["second"], [])
    assert stored(session, audit) == [(20.0, "second")]


def test_an_earlier_edit_from_the_same_device_arriving_late_is_a_conflict_whatever_its_clock(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    put(as_shopper, audit, 20, "second", "2026-11-23T11:00:00Z", seq=2)

    late = put(as_shopper, audit, 10, "first", "2026-11-23T12:00:00Z", seq=1)

    assert late.status_code == 200
    assert late.json()["applied"] == []
    (conflict,) = late.json()["conflicts"]
    assert (conflict["item"], conflict["client_change_id"]) == ("call.answer_time", "first")
    assert {k: conflict["stored"][k] for k in ("value", "client_change_id", "client_device_id", "client_seq")} == {
        "value": 20, "client_change_id": "second", "client_device_id": PHONE, "client_seq": 2}
    assert stored(session, audit) == [(20.0, "second")]


def test_another_device_with_an_older_clock_is_a_conflict_reported_in_the_response(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    put(as_shopper, audit, 10, "phone-1", "2026-11-23T12:00:00Z", seq=5)

    other = put(as_shopper, audit, 30, "tablet-1", "2026-11-23T11:59:00Z", device=TABLET, seq=9)
    newer = put(as_shopper, audit, 40, "tablet-2", "2026-11-23T12:01:00Z", device=TABLET, seq=1)

    assert [c["stored"]["value"] for c in other.json()["conflicts"]] == [10]
    assert newer.json()["applied"] == ["tablet-2"]  # by the clocks: a lower number from another device wins
    assert stored(session, audit) == [(40.0, "tablet-2")]


def test_a_resent_change_is_applied_once_and_acknowledged_again(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    put(as_shopper, audit, 10, "first", "2026-11-23T12:00:00Z", seq=1)
    put(as_shopper, audit, 20, "second", "2026-11-23T12:01:00Z", seq=2)

    again = put(as_shopper, audit, 20, "second", "2026-11-23T12:01:00Z", seq=2)
    stale = put(as_shopper, audit, 10, "first", "2026-11-23T12:00:00Z", seq=1)  # its resend, after the next

    assert (again.json()["applied"], again.json()["conflicts"]) == (["second"], [])
    assert [c["client_change_id"] for c in stale.json()["conflicts"]] == ["first"]
    assert stored(session, audit) == [(20.0, "second")]


@pytest.mark.parametrize(("device", "seq"), [
    (PHONE, -1), (PHONE, 0), (PHONE, 2**31), (PHONE, 10**30), (PHONE, 1.5), (PHONE, "3"), (PHONE, True),
    (PHONE, None), ("short", 1), ("has spaces in it", 1), ("x" * 65, 1), ("<script>alert(1)</script>", 1)])
def test_a_bad_device_id_or_number_is_422_and_saves_nothing(as_shopper: TestClient, audit: Audit,
                                                            session: Session, device: str, seq: Any) -> None:
    response = put(as_shopper, audit, 10, "bad", "2026-11-23T12:00:00Z", device=device, seq=seq)

    assert response.status_code == 422
    assert any(part in ("client_seq", "client_device_id", "answers") for problem in response.json()["detail"]
               for part in problem["loc"])
    assert stored(session, audit) == []


def save(client: TestClient, audit: Audit, value: str, change: str, at: str, seq: str,
         device: str = PHONE) -> Any:
    return client.post(f"/visits/{audit.id}/items/call.answer_time", headers=HX, data={
        "v.call.answer_time": value, "client_change_id": change, "client_changed_at": at,
        "client_device_id": device, "client_seq": seq})


def test_the_phones_outbox_gets_the_same_order_and_a_conflict_by_name(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    save(as_shopper, audit, "10", "first", "2026-11-23T12:00:00Z", "1")

    second = save(as_shopper, audit, "20", "second", "2026-11-23T11:00:00Z", "2")
    late = save(as_shopper, audit, "15", "older", "2026-11-23T13:00:00Z", "1")

    assert second.headers["X-Applied-Change"] == "second"
    assert late.status_code == 409 and late.headers["X-Conflicting-Change"] == "older"
    assert 'value="20"' in late.text  # the item shows what is stored
    assert stored(session, audit) == [(20.0, "second")]


@pytest.mark.parametrize(("device", "seq"), [(PHONE, "-3"), (PHONE, "1e3"), (PHONE, "9" * 40), ("bad id!", "1")])
def test_a_bad_device_id_or_number_from_the_page_is_refused_by_name(as_shopper: TestClient, audit: Audit,
                                                                    session: Session, device: str,
                                                                    seq: str) -> None:
    response = save(as_shopper, audit, "10", "bad-1", "2026-11-23T12:00:00Z", seq, device=device)

    assert response.status_code == 422
    assert response.headers["X-Refused-Change"] == "bad-1"
    assert 'role="alert"' in response.text
    assert stored(session, audit) == []
