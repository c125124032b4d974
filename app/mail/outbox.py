"""E-mails waiting, sent or failed: queued in the transaction that caused them, so a message exists
exactly when its reason does; delivery happens later, in a job (delivery.py)."""

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.mail import compose
from app.mail.models import MailStatus, OutgoingMail
from app.web.paging import Page, PageRequest, SortKey, fetch_page

_PENDING = "mp_mail_to_send"  # session.info key: mail ids to hand to the queue after commit


def queue_mail(session: Session, *, to: str, event_name: str, dedupe_key: str, language: str, subject: str,
               body: compose.Body, user_id: int | None = None, unsubscribe_url: str = "") -> OutgoingMail | None:
    """A new message to `to`, or None when this (recipient, dedupe key) was queued before: at most
    one message per event and recipient, whatever retries happen upstream."""
    existing = session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to,
                                                       OutgoingMail.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return None
    mail = OutgoingMail(user_id=user_id, to_address=to, event=event_name, dedupe_key=dedupe_key[:160],
                        language=language, message_id=compose.new_message_id(), subject=subject[:300],
                        text_body=body.text, html_body=body.html, unsubscribe_url=unsubscribe_url)
    try:
        with session.begin_nested():  # a parallel writer of the same message: theirs stands
            session.add(mail)
            session.flush()
    except IntegrityError:
        return None
    session.info.setdefault(_PENDING, []).append(mail.id)
    return mail


@event.listens_for(Session, "after_commit")
def _hand_to_queue(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        from app.mail import tasks  # late: the queue is set up on first use

        tasks.enqueue_deliveries(ids)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def mail_page(session: Session, *, page: PageRequest, status: str | None = None) -> Page[OutgoingMail]:
    """Newest first, a page at a time. Raises BadPage for a cursor that is not this list's."""
    query = select(OutgoingMail)
    if status:
        query = query.where(OutgoingMail.status == status)
    return fetch_page(session, query, order=(SortKey(col(OutgoingMail.id), descending=True),), page=page)


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutgoingMail.status, func.count()).group_by(col(OutgoingMail.status))).all()
    return {status: int(count) for status, count in rows}


def retry(session: Session, *, mail: OutgoingMail) -> None:
    """A failed message goes back in the queue (the admin fixed the settings, or the server is back)."""
    if mail.status == MailStatus.failed:
        from app.db_types import utcnow

        mail.status, mail.attempts, mail.next_attempt_at = MailStatus.queued, 0, utcnow()
        session.add(mail)
        session.info.setdefault(_PENDING, []).append(mail.id)
