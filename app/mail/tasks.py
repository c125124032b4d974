"""Jobs of the outbox: deliver an e-mail (with backoff) and sweep what is due. Registered on the
queue by importing this module."""

import logging

from huey import crontab
from sqlmodel import Session

from app.db import get_engine
from app.jobs.queue import QUEUE_ERRORS, huey
from app.mail import delivery
from app.mail.models import OutgoingMail

log = logging.getLogger("mystery_patient.mail")


@huey.task()
def deliver_mail(mail_id: int) -> str:
    """Send one message; a failure schedules the next try at its backoff time."""
    with Session(get_engine(), expire_on_commit=False) as session:
        outcome = delivery.deliver(session, mail_id)
        if outcome == "retry":
            mail = session.get(OutgoingMail, mail_id)
            if mail is not None:
                deliver_mail.schedule((mail_id,), eta=mail.next_attempt_at)
    return outcome


@huey.periodic_task(crontab(minute="*/5"))
def sweep_mail() -> int:
    """Messages whose hand-over to the queue was lost (queue down at the time) or whose retry is due."""
    with Session(get_engine()) as session:
        due = delivery.due_mail_ids(session)
    for mail_id in due:
        deliver_mail(mail_id)
    return len(due)


def enqueue_deliveries(mail_ids: list[int]) -> None:
    """Hand committed messages to the queue. If it is down they stay queued in the database and the
    sweep sends them once it is back: nothing is lost, only later."""
    try:
        for mail_id in mail_ids:
            deliver_mail(mail_id)
    except QUEUE_ERRORS as error:
        log.warning("queue unavailable, %d message(s) left for the sweep: %s", len(mail_ids), error)
