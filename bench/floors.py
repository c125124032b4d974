"""The floors of bench/form_speed.py: raw ASGI apps doing the least the real routes must do.

`page` answers every request with the bytes of the real form page (read once from the file named by
MP_FLOOR_PAGE). `upsert` reads a PUT body, parses its JSON and upserts one answer row (of the audit
named in the path) through the same driver the app uses (sqlite3 or psycopg, database
MP_FLOOR_DATABASE), committing before it answers, like the app. Served by the same uvicorn with
the same number of workers as the app.
"""

import asyncio
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_PAGE: bytes | None = None


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def page(scope: Scope, receive: Receive, send: Send) -> None:
    global _PAGE
    if scope["type"] != "http":
        return
    if _PAGE is None:
        with open(os.environ["MP_FLOOR_PAGE"], "rb") as file:
            _PAGE = file.read()
    await _body(receive)
    await _answer(send, 200, _PAGE, b"text/html; charset=utf-8")


# ------------------------------------------------------------------------- the upsert floor

SQLITE_UPSERT = ("INSERT INTO answers (audit_id, item_id, value_num, na, created_at, updated_at) "
                 "VALUES (?, ?, ?, FALSE, ?, ?) ON CONFLICT (audit_id, item_id) DO UPDATE SET "
                 "value_num = excluded.value_num, updated_at = excluded.updated_at")
POSTGRES_UPSERT = SQLITE_UPSERT.replace("?", "%s")


class _Sqlite:
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        # synchronous=FULL as the app (app/db.py): an acknowledged save must survive a power cut, so
        # one fsync per commit is part of the least the route must do (NORMAL skips it).
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=FULL"):
            self.connection.execute(f"PRAGMA {pragma}")

    async def upsert(self, audit_id: int, item_id: int, value: float) -> None:
        # In the event loop, no thread hop: the quickest way a Python process can write one row.
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            self.connection.execute(SQLITE_UPSERT, (audit_id, item_id, value, now, now))
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise


class _Postgres:
    """A few async connections per worker: requests wait for the database, not for each other."""

    def __init__(self, url: str, size: int = 4) -> None:
        self.url, self.size = url, size
        self.pool: asyncio.Queue[Any] | None = None

    async def upsert(self, audit_id: int, item_id: int, value: float) -> None:
        import psycopg

        if self.pool is None:
            self.pool = asyncio.Queue()
            for _ in range(self.size):
                self.pool.put_nowait(await psycopg.AsyncConnection.connect(self.url))
        connection = await self.pool.get()
        try:
            now = datetime.now(UTC)
            async with connection.transaction():
                await connection.execute(POSTGRES_UPSERT, (audit_id, item_id, value, now, now))
        finally:
            self.pool.put_nowait(connection)


_STORE: _Sqlite | _Postgres | None = None


def _store() -> _Sqlite | _Postgres:
    global _STORE
    if _STORE is None:
        url = os.environ["MP_FLOOR_DATABASE"]
        if url.startswith("sqlite:///"):
            _STORE = _Sqlite(url.removeprefix("sqlite:///"))
        else:
            _STORE = _Postgres(url.replace("postgresql+psycopg://", "postgresql://"))
    return _STORE


async def upsert(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    if scope["method"] != "PUT":  # the bench's "is it up?" probe
        await _body(receive)
        await _answer(send, 200, b"ok", b"text/plain")
        return
    body = json.loads(await _body(receive))
    answer = body["answers"][0]
    value = 1.0 if answer["value"] in (True, "yes") else 0.0
    audit_id = int(scope["path"].split("/")[4])  # /api/v1/audits/{id}/answers
    await _store().upsert(audit_id, int(os.environ["MP_FLOOR_ITEM"]), value)
    await _answer(send, 200, b'{"saved": 1}', b"application/json")
