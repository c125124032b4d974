"""Domain events: a domain says what happened, inside its own transaction; subscribers (the
notifications) decide who hears of it. Domains import only this module, so none of them depends
on the notifications package (no package cycles)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened; subclasses carry the ids a subscriber needs."""


@dataclass(frozen=True)
class AssignmentMade(DomainEvent):
    assignment_id: int


@dataclass(frozen=True)
class AssignmentReassigned(DomainEvent):
    assignment_id: int
    old_shopper_id: int


@dataclass(frozen=True)
class AssignmentCancelled(DomainEvent):
    assignment_id: int


@dataclass(frozen=True)
class AuditReturned(DomainEvent):
    audit_id: int
    comments: dict[str, str]


@dataclass(frozen=True)
class AuditApproved(DomainEvent):
    audit_id: int


@dataclass(frozen=True)
class ActionAssigned(DomainEvent):
    action_id: int
    occurrence: str  # which assignment of the owner: "created", or the owner event's id
    actor_id: int | None = None  # nobody is told of an action they gave themselves


@dataclass(frozen=True)
class ActionVerified(DomainEvent):
    action_id: int
    audit_id: int


@dataclass(frozen=True)
class ActionReopened(DomainEvent):
    action_id: int
    audit_id: int


Subscriber = Callable[[Session, Any], None]
_subscribers: dict[type[DomainEvent], list[Subscriber]] = {}


def subscribe(kind: type[DomainEvent], subscriber: Subscriber) -> None:
    """Call `subscriber(session, event)` for every event of this kind (once per subscriber)."""
    listeners = _subscribers.setdefault(kind, [])
    if subscriber not in listeners:
        listeners.append(subscriber)


def publish(session: Session, event: DomainEvent) -> None:
    """Tell every subscriber now, in the caller's transaction: what they write lands with it or not at all."""
    for subscriber in _subscribers.get(type(event), []):
        subscriber(session, event)
