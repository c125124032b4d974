"""Checklist versions in the database: store a validated document as the next immutable version,
find versions and their items.

A version's rows (touchpoints, items, options) are written once and never updated; a changed
document becomes version N+1, the same document again changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.checklists.content import content_of
from app.checklists.models import DEFAULT_SCALE, Checklist, ChecklistVersion, Item, ItemOption, Touchpoint
from app.checklists.schema import ChecklistDoc, ItemType, Text
from app.db_types import utcnow
from app.errors import NotFound
from app.i18n import N_
from app.trail import service as trail


class ChecklistNotFound(NotFound):
    message = N_("There is no checklist {slug}.")


class VersionNotFound(NotFound):
    message = N_("Checklist {slug} has no version {version}.")


class ItemNotFound(NotFound):
    message = N_("The checklist has no item {key}.")


@dataclass(frozen=True)
class SaveResult:
    version: ChecklistVersion
    created: bool  # False: the same content was already the latest version ("unchanged")


def _texts(value: Text | None, language: str) -> dict[str, str] | None:
    if value is None:
        return None
    return {language: value} if isinstance(value, str) else {str(k): v for k, v in value.items()}


def canonical(doc: ChecklistDoc) -> dict[str, Any]:
    """The document with every default spelled out and every text as {language: text}: two files
    that mean the same thing give the same canonical form (and so the same hash)."""
    data = doc.model_dump(mode="json", exclude_none=True)
    language = doc.language
    data["title"] = _texts(doc.title, language)
    for tp_data, tp in zip(data["touchpoints"], doc.touchpoints, strict=True):
        for field in ("title", "need"):
            if getattr(tp, field) is not None:
                tp_data[field] = _texts(getattr(tp, field), language)
        for item_data, item in zip(tp_data["items"], tp.items, strict=True):
            for field in ("text", "help"):
                if getattr(item, field) is not None:
                    item_data[field] = _texts(getattr(item, field), language)
            for option_data, option in zip(item_data.get("options", []), item.options or [], strict=True):
                option_data["text"] = _texts(option.text, language)
    return data


def content_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def latest_version(session: Session, slug: str) -> ChecklistVersion:
    """The newest published version. Raises ChecklistNotFound."""
    query = (select(ChecklistVersion).join(Checklist).where(Checklist.slug == slug,
                                                            ChecklistVersion.status == "published")
             .order_by(col(ChecklistVersion.version).desc()).limit(1))
    version = session.exec(query).first()
    if version is None:
        raise ChecklistNotFound(slug=slug)
    return version


def get_version(session: Session, slug: str, number: int | None = None) -> ChecklistVersion:
    if number is None:
        return latest_version(session, slug)
    query = select(ChecklistVersion).join(Checklist).where(Checklist.slug == slug,
                                                           ChecklistVersion.version == number)
    version = session.exec(query).first()
    if version is None:
        raise VersionNotFound(slug=slug, version=number)
    return version


def slug_of(session: Session, version: ChecklistVersion) -> str:
    checklist = session.get(Checklist, version.checklist_id)
    assert checklist is not None
    return checklist.slug


def save_version(session: Session, doc: ChecklistDoc, *, actor: User | None = None,
                 renamed_keys: dict[str, str] | None = None) -> SaveResult:
    """Publish a validated document as the checklist's next version, or return the latest one
    unchanged when its content is the same. Existing versions and their audits are untouched."""
    document = canonical(doc)
    digest = content_hash(document)
    checklist = session.exec(select(Checklist).where(Checklist.slug == doc.slug)).first()
    if checklist is None:
        checklist = Checklist(slug=doc.slug)
        session.add(checklist)
        session.flush()
    else:
        try:
            latest = latest_version(session, doc.slug)
        except ChecklistNotFound:
            latest = None
        if latest is not None and latest.content_hash == digest and not renamed_keys:
            return SaveResult(latest, created=False)
    number = session.exec(select(func.max(ChecklistVersion.version))
                          .where(ChecklistVersion.checklist_id == checklist.id)).one() or 0
    now = utcnow()
    version = ChecklistVersion(
        checklist_id=checklist.id or 0, version=number + 1, status="published", title=document["title"],
        language=doc.language, critical_policy=doc.critical_policy, target=doc.target, content_hash=digest,
        document=document, renamed_keys=renamed_keys or {}, created_by_id=actor.id if actor else None,
        published_at=now, published_by_id=actor.id if actor else None)
    session.add(version)
    session.flush()
    _write_rows(session, version, document)
    trail.record(session, actor=actor, verb="checklist.publish", entity="checklist_version",
                 entity_id=version.id, slug=doc.slug, version=version.version)
    return SaveResult(version, created=True)


def _write_rows(session: Session, version: ChecklistVersion, document: dict[str, Any]) -> None:
    for tp_position, tp in enumerate(document["touchpoints"]):
        touchpoint = Touchpoint(version_id=version.id or 0, key=tp["key"], position=tp_position,
                                title=tp["title"], weight=tp["weight"], target=tp.get("target"),
                                need=tp.get("need"), channel=tp.get("channel"))
        session.add(touchpoint)
        session.flush()
        for position, it in enumerate(tp["items"]):
            is_scale = it["type"] == ItemType.scale
            pass_if = it.get("pass_if") or {}
            item = Item(version_id=version.id or 0, touchpoint_id=touchpoint.id or 0, key=it["key"],
                        position=position, type=it["type"], text=it["text"], help=it.get("help"),
                        unit=it.get("unit"), pass_min=pass_if.get("min"), pass_max=pass_if.get("max"),
                        scale_min=it.get("min", DEFAULT_SCALE[0]) if is_scale else None,
                        scale_max=it.get("max", DEFAULT_SCALE[1]) if is_scale else None,
                        weight=it["weight"], critical=it["critical"], allow_na=it["allow_na"],
                        required=it["required"], photo=it["photo"], comment=it["comment"])
            session.add(item)
            session.flush()
            session.add_all([ItemOption(item_id=item.id or 0, key=option["key"], position=n,
                                        text=option["text"], score=option["score"])
                             for n, option in enumerate(it.get("options", []))])
    session.flush()


def touchpoints_of(session: Session, version_id: int) -> list[Touchpoint]:
    """The version's touchpoints in order (read once per process: app.checklists.content)."""
    return list(content_of(session, version_id).touchpoints)


def items_of(session: Session, version_id: int) -> list[Item]:
    """Every item of a version in journey order (touchpoint, then position)."""
    return list(content_of(session, version_id).items)


def item_for(session: Session, version_id: int, key: str) -> Item:
    """Raises ItemNotFound."""
    item = content_of(session, version_id).by_key.get(key)
    if item is None:
        raise ItemNotFound(key=key)
    return item


def options_of(session: Session, item_id: int) -> list[ItemOption]:
    item = session.get(Item, item_id)
    return list(content_of(session, item.version_id).options.get(item_id, ())) if item else []
