"""The hourly scheduled checks of the notifications (docs/notifications.md). Registered on the queue
by importing this module; exactly one worker runs the scheduler."""

from huey import crontab
from sqlmodel import Session

from app.db import get_engine
from app.db_types import utcnow
from app.jobs.queue import huey
from app.notifications import schedule


@huey.periodic_task(crontab(minute="5"))
def run_scheduled_checks() -> dict[str, int]:
    with Session(get_engine()) as session:
        told = schedule.run_checks(session, now=utcnow())
        session.commit()
    return told
