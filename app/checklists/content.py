"""A published checklist version's touchpoints, items and options, read once per process.

Those rows are written once when the version is published and never changed (a changed document is
the next version), so every form page, autosave, review screen and report of the same version can
share one copy instead of reading the same rows again (docs/design.md §3, docs/speed.md). The copies
are plain detached model objects: nothing may change them, and nothing needs to, since no route
writes them.

The cache is bounded (the versions in use at once are few) and keyed by the database, the version
id and its publication time: an id a rolled-back transaction gave out and another version later took
again has a different publication time, so a stale copy is never served.
"""

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, col, select

from app.checklists.models import Checklist, ChecklistVersion, Item, ItemOption, Touchpoint

MAX_VERSIONS = 64


@dataclass(frozen=True)
class VersionContent:
    """Everything of one version the form and the reports read, in journey order."""

    version: ChecklistVersion
    slug: str
    touchpoints: tuple[Touchpoint, ...]
    items: tuple[Item, ...]  # touchpoint position, then item position
    options: Mapping[int, tuple[ItemOption, ...]]  # by item id, in their order
    by_key: Mapping[str, Item] = field(init=False)
    by_touchpoint: Mapping[int, tuple[Item, ...]] = field(init=False)
    scores: Mapping[int, Mapping[str, float]] = field(init=False)  # option key -> score, by item id

    def __post_init__(self) -> None:
        grouped: dict[int, list[Item]] = {tp.id or 0: [] for tp in self.touchpoints}
        for item in self.items:
            grouped.setdefault(item.touchpoint_id, []).append(item)
        object.__setattr__(self, "by_key", {item.key: item for item in self.items})
        object.__setattr__(self, "by_touchpoint", {tp_id: tuple(items) for tp_id, items in grouped.items()})
        object.__setattr__(self, "scores", {item_id: {o.key: o.score for o in options}
                                            for item_id, options in self.options.items()})

    def touchpoint(self, touchpoint_id: int) -> Touchpoint:
        return next(tp for tp in self.touchpoints if tp.id == touchpoint_id)


_Key = tuple[str, int, datetime | None]
_Row = TypeVar("_Row", ChecklistVersion, Touchpoint, Item, ItemOption)
_cache: OrderedDict[_Key, VersionContent] = OrderedDict()
_lock = threading.Lock()
_SESSION_KEY = "checklist_content"  # in session.info: the versions this session has asked for
_KEY_READ = "checklist_version_keys"  # in session.info: key columns already read (key_read)


def _detached(row: _Row) -> _Row:
    """A copy outside every session: shared by requests in many threads, never refreshed or flushed."""
    return type(row).model_validate(row.model_dump())


def _load(session: Session, version: ChecklistVersion) -> VersionContent:
    touchpoints = session.exec(select(Touchpoint).where(Touchpoint.version_id == version.id)
                               .order_by(col(Touchpoint.position))).all()
    position = {tp.id: tp.position for tp in touchpoints}
    items = sorted(session.exec(select(Item).where(Item.version_id == version.id)).all(),
                   key=lambda i: (position.get(i.touchpoint_id, 0), i.position))
    options: dict[int, list[ItemOption]] = {}
    query = (select(ItemOption).join(Item, col(Item.id) == ItemOption.item_id).where(Item.version_id == version.id)
             .order_by(col(ItemOption.item_id), col(ItemOption.position)))
    for option in session.exec(query).all():
        options.setdefault(option.item_id, []).append(_detached(option))
    checklist = session.get(Checklist, version.checklist_id)
    return VersionContent(_detached(version), checklist.slug if checklist else "",
                          tuple(_detached(tp) for tp in touchpoints), tuple(_detached(i) for i in items),
                          {item_id: tuple(rows) for item_id, rows in options.items()})


def key_read(session: Session, version_id: int, status: str | None, published_at: datetime | None) -> None:
    """Note the version's status and publication time as read in this session's transaction, beside
    another row (fieldwork.deps reads them with the audit): content_of then asks no query of its own."""
    if status is not None:
        session.info.setdefault(_KEY_READ, {})[version_id] = (status, published_at)


def content_of(session: Session, version_id: int) -> VersionContent:
    """The version's content, from the cache after its first read in this process. A version that
    does not exist (or a draft, which has no rows) gives empty content and is not kept."""
    in_session: dict[int, VersionContent] = session.info.setdefault(_SESSION_KEY, {})
    if version_id in in_session:  # asked again within the request: not even the version row again
        return in_session[version_id]
    # Only what the key needs: the whole row would parse the version's JSON document on every request.
    row = session.info.get(_KEY_READ, {}).get(version_id) or session.exec(
        select(ChecklistVersion.status, ChecklistVersion.published_at).where(ChecklistVersion.id == version_id)).first()
    if row is None or row[0] != "published":
        return VersionContent(ChecklistVersion(id=version_id, checklist_id=0, content_hash=""), "", (), (), {})
    key = (str(session.get_bind().engine.url), version_id, row[1])
    with _lock:
        content = _cache.get(key)
        if content is not None:
            _cache.move_to_end(key)
    if content is None:
        version = session.get(ChecklistVersion, version_id)
        assert version is not None
        content = _load(session, version)
        with _lock:
            _cache[key] = content
            while len(_cache) > MAX_VERSIONS:
                _cache.popitem(last=False)
    in_session[version_id] = content
    return content

