"""Duplicate and near-duplicate photos by perceptual hash: within the report, across the shopper's
other reports and across other shoppers' reports of the same clinic."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role, User
from app.clinics.models import Clinic
from app.fieldwork.models import Audit
from tests.factories import make_clinic, make_user
from tests.fieldwork.helpers import make_audit
from tests.validity.conftest import as_user, submit_visit, upload, verdict_of
from tests.validity.images import photo_bytes, resaved, scene


def test_a_photo_reuploaded_by_another_shopper_makes_the_report_invalid(
        client: TestClient, session: Session, audit: Audit, shopper: User, clinic: Clinic) -> None:
    original = photo_bytes(scene(10))
    as_user(client, shopper)
    upload(client, audit, original)
    submit_visit(session, audit)
    other = make_user(session, Role.shopper)
    copy = make_audit(session, shopper=other, clinic=clinic)
    as_user(client, other)
    upload(client, copy, original)

    verdict, reasons = verdict_of(session, submit_visit(session, copy))

    assert verdict == "invalid"
    assert reasons == [f"1 photo identical to audit #{audit.id}"]


def test_a_resized_recompressed_copy_from_the_shoppers_earlier_report_is_still_flagged(
        client: TestClient, session: Session, audit: Audit, shopper: User) -> None:
    original = photo_bytes(scene(11), quality=95)
    as_user(client, shopper)
    upload(client, audit, original)
    submit_visit(session, audit)
    elsewhere = make_audit(session, shopper=shopper, clinic=make_clinic(session))  # another clinic
    upload(client, elsewhere, resaved(original, scale=0.4, quality=50))

    verdict, reasons = verdict_of(session, submit_visit(session, elsewhere))

    assert verdict == "invalid"
    assert len(reasons) == 1 and f"audit #{audit.id}" in reasons[0]


def test_a_clearly_different_photo_of_the_same_clinic_is_not_flagged(
        client: TestClient, session: Session, audit: Audit, shopper: User, clinic: Clinic) -> None:
    as_user(client, shopper)
    upload(client, audit, photo_bytes(scene(12)))
    submit_visit(session, audit)
    other = make_user(session, Role.shopper)
    next_visit = make_audit(session, shopper=other, clinic=clinic)
    as_user(client, other)
    upload(client, next_visit, photo_bytes(scene(13)))

    assert verdict_of(session, submit_visit(session, next_visit)) == ("valid", [])


def test_another_shoppers_photo_of_a_different_clinic_is_not_compared(
        client: TestClient, session: Session, audit: Audit, shopper: User) -> None:
    original = photo_bytes(scene(14))
    as_user(client, shopper)
    upload(client, audit, original)
    other = make_user(session, Role.shopper)
    unrelated = make_audit(session, shopper=other, clinic=make_clinic(session))
    as_user(client, other)
    upload(client, unrelated, original)

    assert verdict_of(session, submit_visit(session, unrelated)) == ("valid", [])


def test_the_same_photo_twice_in_one_report_is_doubtful_once(
        client: TestClient, session: Session, audit: Audit, shopper: User) -> None:
    original = photo_bytes(scene(15))
    as_user(client, shopper)
    upload(client, audit, original)
    upload(client, audit, resaved(original), item="call.answer_time")

    verdict, reasons = verdict_of(session, submit_visit(session, audit))

    assert verdict == "doubtful"
    assert reasons == ["the same photo appears twice in this report (question call.answer_time)"]


def test_a_photo_removed_and_uploaded_again_is_not_a_repeat(client: TestClient, session: Session,
                                                            audit: Audit, shopper: User) -> None:
    original = photo_bytes(scene(16))
    as_user(client, shopper)
    first = upload(client, audit, original)
    assert client.delete(f"/api/v1/audits/{audit.id}/evidence/{first}").status_code == 204
    upload(client, audit, original)

    assert verdict_of(session, submit_visit(session, audit)) == ("valid", [])
