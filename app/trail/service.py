"""Record who did what. Rows are only ever added: nothing updates or deletes the trail."""

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.trail.models import TrailEvent


def record(session: Session, *, actor: User | None, verb: str, entity: str, entity_id: int | None,
           **detail: Any) -> TrailEvent:
    event = TrailEvent(actor_id=actor.id if actor else None, verb=verb, entity=entity,
                       entity_id=entity_id, detail=detail)
    session.add(event)
    return event


def events_for(session: Session, *, entity: str, entity_id: int) -> list[TrailEvent]:
    query = (select(TrailEvent).where(TrailEvent.entity == entity, TrailEvent.entity_id == entity_id)
             .order_by(col(TrailEvent.at), col(TrailEvent.id)))
    return list(session.exec(query).all())
