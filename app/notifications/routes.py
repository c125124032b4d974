"""The bell's pages: my notifications, mark as read, my choices per event, and the one-click
unsubscribe of every e-mail (RFC 8058)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.i18n import N_
from app.notifications import messages, service
from app.notifications.events import EVENTS
from app.notifications.models import Channel, Notification
from app.web.paging import PageParams
from app.web.templating import render

router = APIRouter(include_in_schema=False)

CHANNEL_LABELS = {Channel.email: N_("By e-mail and in the app"), Channel.app: N_("In the app only"),
                  Channel.off: N_("Off")}


def _rows(notifications: list[Notification]) -> list[tuple[Notification, messages.Message]]:
    return [(n, messages.describe(n.event, n.params)) for n in notifications]


@router.get("/notifications", name="notifications")
def notifications_page(request: Request, user: CurrentUser, session: SessionDep, page: PageParams) -> Response:
    found = service.page_of(session, user=user, page=page)
    return render(request, "notifications/list.html", rows=_rows(found.rows), listing=found,
                  unread=service.unread_count(session, user=user))


@router.post("/notifications/read", name="notifications_read")
def mark_read(request: Request, user: CurrentUser, session: SessionDep,
              notification_id: Annotated[int | None, Form()] = None) -> Response:
    """One notification (when an id is given) or all of them; then back to the list or on to its link."""
    service.mark_read(session, user=user, notification_ids=[notification_id] if notification_id else None)
    target = request.url_for("notifications")
    if notification_id:
        found = session.get(Notification, notification_id)
        if found is not None and found.user_id == user.id and found.link.startswith("/"):
            return RedirectResponse(found.link, status_code=303)
    return RedirectResponse(target, status_code=303)


def _preferences_page(request: Request, session: Session, user: CurrentUser, *, saved: bool = False) -> Response:
    chosen = service.preferences(session, user=user)
    rows = [(event, EVENTS[event].label, chosen[event]) for event in chosen]
    return render(request, "notifications/preferences.html", rows=rows, saved=saved, has_email=bool(user.email),
                  channels=[(channel, CHANNEL_LABELS[channel]) for channel in Channel])


@router.get("/notifications/preferences", name="notification_preferences")
def preferences_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return _preferences_page(request, session, user)


@router.post("/notifications/preferences", name="notification_preferences_save")
async def save_preferences(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """One radio group per event the user's role can get; unknown names and values are ignored."""
    form = await request.form()
    for event in service.preferences(session, user=user):
        value = form.get(f"event-{event.value}")
        if isinstance(value, str) and value in Channel.__members__:
            service.set_preference(session, user=user, event=event, channel=Channel(value))
    return _preferences_page(request, session, user, saved=True)


@router.get("/unsubscribe/{token}", name="unsubscribe_page")
def unsubscribe_page(request: Request, token: str, session: SessionDep) -> Response:
    """A page with one button: mail scanners open links, so only the POST changes anything."""
    _user_id, event = service.read_unsubscribe_token(token)
    return render(request, "notifications/unsubscribe.html", token=token, label=EVENTS[event].label, done=False)


@router.post("/unsubscribe/{token}", name="unsubscribe")
def unsubscribe(request: Request, token: str, session: SessionDep) -> Response:
    """RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` with no cookie and no
    CSRF token; the signed token in the address is the only credential, and it can only turn e-mail
    for one event off (in-app notifications stay)."""
    _user, event = service.unsubscribe(session, token=token)
    return render(request, "notifications/unsubscribe.html", token=token, label=EVENTS[event].label, done=True)
