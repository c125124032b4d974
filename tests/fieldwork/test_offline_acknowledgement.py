"""The contract the phone's outbox relies on: a save is acknowledged by X-Applied-Change naming exactly
the change (or upload) the server now has; a refusal by X-Refused-Change; anything else acknowledges
nothing. Resends are idempotent, an older edit never overwrites a newer one and is answered as a
conflict (X-Conflicting-Change), never as applied; the manifest lists only
the shopper's own open visits; the service worker script is served from the app's root."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.checklists.models import Item
from app.fieldwork.models import Answer, Audit, AuditStatus, Evidence
from tests.fieldwork.conftest import log_in_as
from tests.fieldwork.helpers import make_audit, picture

HX = {"HX-Request": "true"}


def stored_answer(session: Session, audit: Audit, key: str) -> list[Answer]:
    return list(session.exec(select(Answer).join(Item, col(Item.id) == Answer.item_id)
                             .where(Answer.audit_id == audit.id, Item.key == key)
                             .execution_options(populate_existing=True)).all())


def save(client: TestClient, audit: Audit, key: str, value: str, change_id: str, at: str) -> object:
    return client.post(f"/visits/{audit.id}/items/{key}", headers=HX, data={
        f"v.{key}": value, "client_change_id": change_id, "client_changed_at": at})


def test_an_applied_change_is_named_in_the_response(as_shopper: TestClient, audit: Audit, session: Session) -> None:
    response = save(as_shopper, audit, "call.mood", "-2", "change-1", "2026-11-23T10:00:00Z")

    assert response.status_code == 200
    assert response.headers["X-Applied-Change"] == "change-1"
    assert response.headers["X-Audit-Status"] == "draft"
    assert "X-Refused-Change" not in response.headers
    assert 'id="item-call.mood"' in response.text
    (answer,) = stored_answer(session, audit, "call.mood")
    assert (answer.value_num, answer.client_change_id) == (-2, "change-1")


def test_a_resend_is_acknowledged_again_and_stores_nothing_twice(as_shopper: TestClient, audit: Audit,
                                                                  session: Session) -> None:
    save(as_shopper, audit, "call.mood", "-2", "change-1", "2026-11-23T10:00:00Z")
    again = save(as_shopper, audit, "call.mood", "-2", "change-1", "2026-11-23T10:00:00Z")

    assert again.headers["X-Applied-Change"] == "change-1"
    assert [a.value_num for a in stored_answer(session, audit, "call.mood")] == [-2]


def test_an_older_edit_arriving_late_is_a_conflict_not_acknowledged_and_keeps_the_newer_value(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    save(as_shopper, audit, "call.mood", "1", "newer", "2026-11-23T10:05:00Z")
    late = save(as_shopper, audit, "call.mood", "-2", "older", "2026-11-23T10:00:00Z")

    assert late.status_code == 409
    assert late.headers["X-Conflicting-Change"] == "older"  # stays on the phone, shown to the shopper
    assert "X-Applied-Change" not in late.headers and "X-Refused-Change" not in late.headers
    assert "a newer answer to this question was saved meanwhile" in late.text
    assert 'name="v.call.mood" value="1" checked' in late.text  # the stored answer is shown
    (answer,) = stored_answer(session, audit, "call.mood")
    assert (answer.value_num, answer.client_change_id) == (1, "newer")


def test_a_refused_value_is_named_as_refused_not_applied(as_shopper: TestClient, audit: Audit,
                                                         session: Session) -> None:
    response = save(as_shopper, audit, "call.answer_time", "fourteen", "bad-1", "2026-11-23T10:00:00Z")

    assert response.status_code == 422
    assert response.headers["X-Refused-Change"] == "bad-1"
    assert "X-Applied-Change" not in response.headers
    assert 'role="alert"' in response.text
    assert stored_answer(session, audit, "call.answer_time") == []


def test_a_submitted_audit_answers_409_and_acknowledges_nothing(as_shopper: TestClient, audit: Audit,
                                                                session: Session) -> None:
    audit.status = AuditStatus.submitted
    session.add(audit)
    session.commit()

    response = save(as_shopper, audit, "call.mood", "1", "late-1", "2026-11-23T10:00:00Z")

    assert response.status_code == 409
    assert "X-Applied-Change" not in response.headers and "X-Refused-Change" not in response.headers


def test_a_save_without_a_change_id_carries_no_acknowledgement(as_shopper: TestClient, audit: Audit) -> None:
    response = as_shopper.post(f"/visits/{audit.id}/items/call.mood", headers=HX, data={"v.call.mood": "1"})

    assert response.status_code == 200
    assert "X-Applied-Change" not in response.headers


def upload(client: TestClient, audit: Audit, upload_id: str | None, data: bytes = b"",
           key: str = "reception.photo") -> object:
    form = {"client_upload_id": upload_id} if upload_id else {}
    return client.post(f"/visits/{audit.id}/items/{key}/files", headers=HX, data=form,
                       files={"file": ("photo.jpg", data or picture(), "image/jpeg")})


def test_a_queued_photo_is_acknowledged_by_its_upload_id_and_stored_once(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    first = upload(as_shopper, audit, "upload-1")
    resend = upload(as_shopper, audit, "upload-1")

    assert first.status_code == resend.status_code == 200
    assert first.headers["X-Applied-Change"] == resend.headers["X-Applied-Change"] == "upload-1"
    assert 'data-save-state="saved"' in first.text and "<img" in first.text
    files = session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).all()
    assert len(files) == 1 and files[0].client_upload_id == "upload-1"
    assert stored_answer(session, audit, "reception.photo") == []  # the photo never touches the answer


def test_a_queued_file_that_is_not_a_picture_is_refused_by_name(as_shopper: TestClient, audit: Audit,
                                                                session: Session) -> None:
    response = upload(as_shopper, audit, "upload-2", data=b"<html>not a photo</html>")

    assert response.status_code == 422
    assert response.headers["X-Refused-Change"] == "upload-2"
    assert "X-Applied-Change" not in response.headers
    assert session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).all() == []


def test_a_queued_photo_needs_its_upload_id(as_shopper: TestClient, audit: Audit) -> None:
    response = upload(as_shopper, audit, None)

    assert response.status_code == 422
    assert "X-Applied-Change" not in response.headers


def test_a_queued_photo_for_an_unknown_item_or_another_shoppers_audit_is_404(
        as_shopper: TestClient, audit: Audit, session: Session) -> None:
    foreign = make_audit(session)

    assert upload(as_shopper, audit, "u-3", key="nope.nope").status_code == 404
    assert upload(as_shopper, foreign, "u-4").status_code == 404


def test_the_manifest_lists_the_shoppers_open_visits_and_the_app_files(
        client: TestClient, session: Session) -> None:
    shopper = log_in_as(client, session, Role.shopper)
    open_audit = make_audit(session, shopper=shopper)
    done = make_audit(session, shopper=shopper)
    done.status = AuditStatus.approved
    session.add(done)
    session.commit()
    foreign = make_audit(session)

    response = client.get("/visits/offline-manifest")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["user"] == shopper.id
    assert set(body["pages"]) == {"/visits", f"/visits/{open_audit.id}", f"/visits/{open_audit.id}/brief",
                                  f"/visits/{open_audit.id}/overview", f"/visits/{open_audit.id}/t/call",
                                  f"/visits/{open_audit.id}/t/reception"}
    assert foreign.id != open_audit.id != done.id  # their pages are not in the exact set above
    assert any(f.endswith("/offline.js") for f in body["files"])
    assert all(f.startswith("/static/") for f in body["files"])


def test_the_manifest_names_the_thumbnails_of_photos_already_sent(as_shopper: TestClient, audit: Audit) -> None:
    upload(as_shopper, audit, "upload-5")

    pages = as_shopper.get("/visits/offline-manifest").json()["pages"]

    assert any(p.startswith("/media/") and p.endswith("/thumb") for p in pages)


def test_the_manifest_is_for_shoppers_only(client: TestClient, session: Session) -> None:
    assert client.get("/visits/offline-manifest").status_code in (303, 401)
    log_in_as(client, session, Role.qa_lead)
    assert client.get("/visits/offline-manifest").status_code == 403


def test_the_service_worker_is_served_from_the_root(client: TestClient) -> None:
    response = client.get("/sw.js?u=7")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "mp-pages-" in response.text


def test_the_form_screens_carry_the_outbox_status_and_script(as_shopper: TestClient, audit: Audit,
                                                             shopper: User) -> None:
    for path in (f"/visits/{audit.id}/t/call", f"/visits/{audit.id}", f"/visits/{audit.id}/overview", "/visits"):
        page = as_shopper.get(path).text
        assert 'id="offline"' in page and f'data-user="{shopper.id}"' in page, path
        assert "/offline.js" in page, path
