"""/healthz: the process answers (a load balancer restarts it when not). /readyz: the parts a request
needs answer too (database, job queue, media storage), each named, so a proxy sends traffic
elsewhere and a sysadmin sees what is down."""

import logging
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from app.db import SessionDep
from app.storage import StorageDown, get_storage

log = logging.getLogger("mystery_patient")
router = APIRouter(include_in_schema=False)
RETRY_AFTER_S = 5


@router.get("/healthz", name="healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


def database_down(session: Session) -> str | None:
    try:
        session.connection().execute(text("SELECT 1"))
    except Exception as failure:  # any failure to answer SELECT 1 is "down", whatever the driver says
        return f"{type(failure).__name__}: {str(failure).splitlines()[0][:200] if str(failure) else ''}"
    return None


def media_down() -> str | None:
    storage = get_storage()
    try:
        storage.check()
    except StorageDown as failure:
        cause = failure.__cause__
        return f"{storage.description}: {type(cause).__name__ if cause else 'not writable'}"
    return None


def queue_down() -> str | None:
    from app.jobs.queue import queue_reachable

    return queue_reachable()


CHECKS: dict[str, Callable[[], str | None]] = {"queue": queue_down, "media": media_down}


@router.get("/readyz", name="readyz")
def readyz(session: SessionDep) -> JSONResponse:
    problems = {"database": database_down(session)} | {name: check() for name, check in CHECKS.items()}
    down = {name: why for name, why in problems.items() if why}
    body = {"status": "down" if down else "ready",
            "checks": {name: why or "ok" for name, why in problems.items()}}
    if down:
        log.warning("not ready: %s", ", ".join(f"{name} ({why})" for name, why in down.items()))
        return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
    return JSONResponse(body)
