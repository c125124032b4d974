"""A phone that loses its connection in the middle of an upload is not a server error."""

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.accounts.tokens import create_token
from app.fieldwork.models import Evidence
from tests.factories import make_user
from tests.fieldwork.helpers import make_audit, picture
from tests.own_thread import in_own_thread

BOUNDARY = "soakboundary"


@pytest.fixture
def app(client: TestClient) -> Iterator[Any]:
    """The real app, its database session shared with the test (the client fixture installs that)."""
    yield client.app


def half_an_upload() -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + picture()[:200]


async def upload_then_vanish(app: Any, path: str, token: str) -> list[dict[str, Any]]:
    """Send the headers and part of a multipart body, then the client disconnects."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode()),
                         (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
                         (b"content-length", b"100000")]}
    messages = [{"type": "http.request", "body": half_an_upload(), "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if len(messages) > 1 else messages[0]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_a_client_gone_mid_upload_logs_no_error_and_stores_nothing(app: Any, session: Session,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    shopper = make_user(session, Role.shopper)
    audit = make_audit(session, shopper=shopper)
    _token, plain = create_token(session, user=shopper, name="phone")
    session.commit()

    with caplog.at_level(logging.INFO):
        sent = in_own_thread(asyncio.run, upload_then_vanish(app, f"/api/v1/audits/{audit.id}/evidence", plain))

    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert any("disconnected" in r.getMessage() for r in caplog.records)
    assert sent[0]["status"] == 499
    assert session.exec(select(Evidence).where(Evidence.audit_id == audit.id)).all() == []
