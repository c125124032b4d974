"""The events people are told about, who may hear each, and the default channel
(docs/notifications.md has the table)."""

from dataclasses import dataclass
from enum import StrEnum

from app.accounts.models import Role
from app.i18n import N_
from app.notifications.models import Channel


class Event(StrEnum):
    visit_assigned = "visit_assigned"
    visit_changed = "visit_changed"
    visit_cancelled = "visit_cancelled"
    window_closing = "window_closing"
    report_returned = "report_returned"
    qa_digest = "qa_digest"
    report_alert = "report_alert"
    wave_closed = "wave_closed"
    action_assigned = "action_assigned"
    action_due = "action_due"
    action_overdue = "action_overdue"
    action_verified = "action_verified"
    action_reopened = "action_reopened"


@dataclass(frozen=True)
class EventInfo:
    label: str  # N_-marked, for the preferences page
    roles: frozenset[str]  # who can ever receive it
    default: Channel


_OWNERS = frozenset({Role.manager, Role.director, Role.qa_lead, Role.admin})
_READERS = frozenset({Role.manager, Role.director})

EVENTS: dict[Event, EventInfo] = {
    Event.visit_assigned: EventInfo(N_("A visit is assigned to me"), frozenset({Role.shopper}), Channel.email),
    Event.visit_changed: EventInfo(N_("My visit is given to someone else"), frozenset({Role.shopper}), Channel.email),
    Event.visit_cancelled: EventInfo(N_("My visit is cancelled"), frozenset({Role.shopper}), Channel.email),
    Event.window_closing: EventInfo(N_("My visit window closes soon and the report is not sent"),
                                    frozenset({Role.shopper}), Channel.email),
    Event.report_returned: EventInfo(N_("My report is returned for corrections"), frozenset({Role.shopper}),
                                     Channel.email),
    Event.qa_digest: EventInfo(N_("Daily digest: reports waiting and visits past their window"),
                               frozenset({Role.qa_lead}), Channel.email),
    Event.report_alert: EventInfo(N_("An approved report of my clinic has a critical failure or a low score"),
                                  _READERS, Channel.email),
    Event.wave_closed: EventInfo(N_("A wave closed: my clinics' summary"), _READERS, Channel.email),
    Event.action_assigned: EventInfo(N_("An action is assigned to me"), _OWNERS, Channel.email),
    Event.action_due: EventInfo(N_("My action is due soon"), _OWNERS, Channel.email),
    Event.action_overdue: EventInfo(N_("My action is overdue"), _OWNERS, Channel.email),
    Event.action_verified: EventInfo(N_("My action is verified by an audit"), _OWNERS, Channel.app),
    Event.action_reopened: EventInfo(N_("My action is reopened by an audit"), _OWNERS, Channel.email),
}


def events_for_role(role: str) -> list[Event]:
    return [event for event, info in EVENTS.items() if role in info.roles]
