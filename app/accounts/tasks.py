"""Periodic clean-up of the accounts' tables (docs/jobs.md): sessions that can no longer sign
anyone in and failed logins past the throttle's memory."""

import logging

from huey import crontab

from app.accounts import service, sessions
from app.db import write_session
from app.db_types import utcnow
from app.jobs.queue import huey

log = logging.getLogger("mystery_patient.jobs")


def prune_accounts() -> tuple[int, int]:
    """Delete expired sessions and old login attempts; returns (sessions, attempts) deleted."""
    now = utcnow()
    with write_session() as session:
        gone_sessions = sessions.prune_sessions(session, now=now)
        gone_attempts = service.prune_login_attempts(session, now=now)
    if gone_sessions or gone_attempts:
        log.info("pruned %d expired sessions and %d old login attempts", gone_sessions, gone_attempts)
    return gone_sessions, gone_attempts


@huey.periodic_task(crontab(minute="17"))  # hourly; two runs in a row delete nothing twice
def prune_accounts_hourly() -> None:
    prune_accounts()
