"""Sending a queued e-mail: claim it, send it outside any transaction, record the outcome.

A claim is one conditional UPDATE, so two runs of the same job (a retry, a second worker) cannot
both send; a worker killed mid-send leaves a claim that expires and the message is tried again.
Failures back off (1, 2, 4 … minutes) and give up after MAX_ATTEMPTS, keeping the server's answer.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select, update

from app.db_types import utcnow
from app.mail import compose, transport
from app.mail.models import MailStatus, OutgoingMail

log = logging.getLogger("mystery_patient.mail")

MAX_ATTEMPTS = 6
CLAIM_LEASE = timedelta(minutes=10)  # longer than any SMTP conversation


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** max(0, attempts - 1))


def _claimable(now: datetime) -> Any:
    """Queued, or claimed by a run that died (its lease ran out)."""
    stale = (col(OutgoingMail.status) == MailStatus.sending) & (col(OutgoingMail.claimed_at) < now - CLAIM_LEASE)
    return or_(col(OutgoingMail.status) == MailStatus.queued, stale)


def _claim(session: Session, mail_id: int) -> OutgoingMail | None:
    now = utcnow()
    claimable = _claimable(now)
    result = session.exec(update(OutgoingMail)  # type: ignore[call-overload]
                          .where(col(OutgoingMail.id) == mail_id, claimable, col(OutgoingMail.next_attempt_at) <= now)
                          .values(status=MailStatus.sending, claimed_at=now, attempts=OutgoingMail.attempts + 1)
                          .execution_options(synchronize_session=False))
    session.commit()
    if result.rowcount != 1:
        return None
    return session.get(OutgoingMail, mail_id, populate_existing=True)


def deliver(session: Session, mail_id: int) -> str:
    """Send one message if it is still due; returns what happened (sent, retry, failed, skipped).

    Commits the claim before talking to the server and the outcome after: nothing is held open
    while the network is slow."""
    mail = _claim(session, mail_id)
    if mail is None:
        return "skipped"  # sent already, claimed by another run, or not due yet
    message = compose.build_message(to=mail.to_address, subject=mail.subject,
                                    body=compose.Body(mail.text_body, mail.html_body),
                                    message_id=mail.message_id, unsubscribe_url=mail.unsubscribe_url)
    try:
        where = transport.send(message)
    except transport.DeliveryFailed as error:
        return _record_failure(session, mail, str(error))
    session.exec(update(OutgoingMail).where(col(OutgoingMail.id) == mail_id)  # type: ignore[call-overload]
                 .values(status=MailStatus.sent, sent_at=utcnow(), last_error=""))
    session.commit()
    log.info("mail %s (%s) sent to %s via %s", mail_id, mail.event, mail.to_address, where)
    return "sent"


def _record_failure(session: Session, mail: OutgoingMail, error: str) -> str:
    final = mail.attempts >= MAX_ATTEMPTS
    values = ({"status": MailStatus.failed} if final else
              {"status": MailStatus.queued, "next_attempt_at": utcnow() + backoff(mail.attempts)})
    session.exec(update(OutgoingMail).where(col(OutgoingMail.id) == mail.id)  # type: ignore[call-overload]
                 .values(last_error=error[:1000], **values))
    session.commit()
    log.warning("mail %s to %s failed (attempt %s): %s", mail.id, mail.to_address, mail.attempts, error)
    return "failed" if final else "retry"


def due_mail_ids(session: Session, *, limit: int = 200) -> list[int]:
    """Messages a sweep should (re)send: due retries, and any whose hand-over to the queue was lost."""
    now = utcnow()
    query = (select(OutgoingMail.id).where(_claimable(now), col(OutgoingMail.next_attempt_at) <= now)
             .order_by(col(OutgoingMail.id)).limit(limit))
    return [mail_id for mail_id in session.exec(query).all() if mail_id is not None]
