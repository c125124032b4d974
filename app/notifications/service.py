"""Telling people: one in-app notification per (person, event), an e-mail beside it when their
choice for that event allows, and the choices themselves (docs/notifications.md)."""

from collections.abc import Iterable
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from app.accounts.models import User
from app.db_types import utcnow
from app.errors import DomainError, NotFound
from app.i18n import N_, gettext, speaking
from app.mail import compose, outbox
from app.notifications import messages
from app.notifications.events import EVENTS, Event
from app.notifications.models import Channel, Notification, Preference
from app.settings import get_settings
from app.web.paging import Page, PageRequest, SortKey, fetch_page


class BadUnsubscribeLink(DomainError):
    status_code = 410
    message = N_("This unsubscribe link is not valid.")


def channel_for(session: Session, *, user: User, event: Event) -> Channel:
    """The user's choice for the event, else its default; an event their role never gets is off."""
    info = EVENTS[event]
    if user.role not in info.roles:
        return Channel.off
    chosen = session.get(Preference, (user.id, event.value))
    return Channel(chosen.channel) if chosen else info.default


def preferences(session: Session, *, user: User) -> dict[Event, Channel]:
    chosen = {row.event: Channel(row.channel)
              for row in session.exec(select(Preference).where(Preference.user_id == user.id)).all()}
    return {event: chosen.get(event.value, info.default) for event, info in EVENTS.items() if user.role in info.roles}


def set_preference(session: Session, *, user: User, event: Event, channel: Channel) -> None:
    if user.role not in EVENTS[event].roles:
        raise NotFound()
    row = session.get(Preference, (user.id, event.value)) or Preference(user_id=user.id or 0, event=event.value,
                                                                         channel=channel.value)
    row.channel = channel.value
    session.add(row)


def notify(session: Session, *, users: Iterable[User], event: Event, key: str, params: dict[str, Any],
           link: str = "") -> list[Notification]:
    """Tell each (active) user about the event once: a repeat with the same key does nothing.

    `key` names the occurrence (e.g. "assignment:12"); `params` are raw values the message needs.
    Returns the notifications created now. Does not commit; e-mails go to the queue after commit.
    """
    created = []
    seen: set[int] = set()
    for user in users:
        if user.id is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        channel = channel_for(session, user=user, event=event)
        if channel == Channel.off:
            continue
        notification = _insert_once(session, Notification(user_id=user.id, event=event.value,
                                                          dedupe_key=f"{event.value}:{key}"[:160],
                                                          params=params, link=link))
        if notification is None:
            continue
        created.append(notification)
        if channel == Channel.email and user.email:
            _queue_email(session, user=user, notification=notification)
    return created


def _insert_once(session: Session, notification: Notification) -> Notification | None:
    exists = session.exec(select(Notification.id).where(Notification.user_id == notification.user_id,
                                                        Notification.dedupe_key == notification.dedupe_key)).first()
    if exists is not None:
        return None
    try:
        with session.begin_nested():  # two runs of the same check at once: the first one stands
            session.add(notification)
            session.flush()
    except IntegrityError:
        return None
    return notification


def unsubscribe_token(*, user_id: int, event: str) -> str:
    return URLSafeSerializer(get_settings().signing_key(), salt="unsubscribe").dumps([user_id, event])


def read_unsubscribe_token(token: str) -> tuple[int, Event]:
    try:
        user_id, event = URLSafeSerializer(get_settings().signing_key(), salt="unsubscribe").loads(token)
        return int(user_id), Event(event)
    except (BadSignature, ValueError, TypeError):
        raise BadUnsubscribeLink() from None


def unsubscribe(session: Session, *, token: str) -> tuple[User, Event]:
    """Stop e-mails for one event (the in-app notification stays): the one-click link of each e-mail."""
    user_id, event = read_unsubscribe_token(token)
    user = session.get(User, user_id)
    if user is None:
        raise BadUnsubscribeLink()
    if channel_for(session, user=user, event=event) == Channel.email:
        set_preference(session, user=user, event=event, channel=Channel.app)
    return user, event


def _queue_email(session: Session, *, user: User, notification: Notification) -> None:
    base = get_settings().public_url
    unsubscribe_url = f"{base}/unsubscribe/{unsubscribe_token(user_id=user.id or 0, event=notification.event)}"
    with speaking(user.language or get_settings().default_language):
        message = messages.describe(notification.event, notification.params)
        footer = [(gettext(N_("Unsubscribe from these e-mails")), unsubscribe_url),
                  (gettext(N_("Notification settings")), f"{base}/notifications/preferences")]
        body = compose.render_body(title=message.title, lines=message.lines, action=message.action,
                                   link=f"{base}{notification.link}" if notification.link else "", footer=footer)
        language = user.language or get_settings().default_language
    outbox.queue_mail(session, to=user.email, user_id=user.id, event_name=notification.event,
                      dedupe_key=notification.dedupe_key, language=language, subject=message.title,
                      body=body, unsubscribe_url=unsubscribe_url)


def unread_count(session: Session, *, user: User) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.user_id == user.id,
                                                                 col(Notification.read_at).is_(None))
    return int(session.exec(query).one())


def page_of(session: Session, *, user: User, page: PageRequest) -> Page[Notification]:
    """The user's notifications, newest first, a page at a time. Raises BadPage for a bad cursor."""
    return fetch_page(session, select(Notification).where(Notification.user_id == user.id),
                      order=(SortKey(col(Notification.id), descending=True),), page=page)


def mark_read(session: Session, *, user: User, notification_ids: Iterable[int] | None = None) -> None:
    """Mark the given notifications read, or all of the user's when None."""
    query = update(Notification).where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
    if notification_ids is not None:
        query = query.where(col(Notification.id).in_(list(notification_ids)))
    session.exec(query.values(read_at=utcnow()))  # type: ignore[call-overload]
