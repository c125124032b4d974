"""What a report is about: the wave, checklist, region and clinics named in a request (404 saying
which one is unknown), the defaults when they are left out, and the checklist's static fields.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from fastapi import Request
from sqlmodel import Session, col, func, select

from app.checklists.models import Checklist, ChecklistVersion, Item, Touchpoint
from app.checklists.schema import BINARY_TYPES, SCORED_TYPES
from app.checklists.versions import ChecklistNotFound
from app.clinics.models import Clinic, Region
from app.errors import NotFound
from app.fieldwork.models import Audit, AuditStatus, Wave
from app.i18n import N_
from app.reports import queries
from app.reports.queries import AuditFilter
from app.web import choices
from app.web.choices import ChoiceList


class WaveNotFound(NotFound):
    message = N_("There is no wave {wave}.")


class RegionNotFound(NotFound):
    message = N_("There is no region {region}.")


class ClinicNotFound(NotFound):
    # The same words for a clinic that does not exist and one outside the reader's scope.
    message = N_("There is no clinic {clinic}.")


@dataclass(frozen=True)
class TouchpointMeta:
    key: str
    title: dict[str, str]
    weight: float
    target: float  # its own target, else the checklist's
    current: bool  # in the latest version (older touchpoints are shown only where they have data)


@dataclass(frozen=True)
class ItemMeta:
    key: str
    text: dict[str, str]
    type: str
    weight: float
    touchpoint: str

    @property
    def binary(self) -> bool:
        return self.type in BINARY_TYPES

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES


@dataclass(frozen=True)
class ChecklistMeta:
    """The static fields of a report. Items are followed by key across versions, and a key's weight,
    touchpoint, texts and targets come from the newest of the versions the meta was built over
    that has it: the versions of the audits behind the figures (docs/design.md §5, "Versions in
    reports"), so publishing a new version moves nothing. Each audit's own scores use the weights
    of the version it was filled on (see queries.py)."""

    id: int
    slug: str
    title: dict[str, str]
    target: float
    touchpoints: list[TouchpointMeta] = field(default_factory=list)  # journey order
    items: dict[str, ItemMeta] = field(default_factory=dict)  # journey order
    renames: dict[str, str] = field(default_factory=dict)  # retired key -> its newest key

    def touchpoint(self, key: str) -> TouchpointMeta | None:
        return next((tp for tp in self.touchpoints if tp.key == key), None)


@dataclass(frozen=True)
class FilterChoices:
    """What the report filters offer."""

    waves: ChoiceList  # with approved audits at the clinics, newest first
    checklists: list[tuple[str, dict[str, str]]]  # (slug, title of the latest published version), by slug
    regions: ChoiceList  # of the clinics, by name


def filter_choices(request: Request, session: Session, *, clinic_id: int | None = None,
                   waves: Collection[object] = (), region: object = None) -> FilterChoices:
    """The choices of the wave, checklist and region filters over the reader's scope, or the waves
    of one clinic (`clinic_id`, no region): a page each with a search (app/web/choices.py)."""
    rows = session.execute(select(col(Checklist.slug), col(ChecklistVersion.title))
                           .join(ChecklistVersion, col(ChecklistVersion.checklist_id) == Checklist.id)
                           .where(ChecklistVersion.status == "published")
                           .order_by(col(Checklist.slug), col(ChecklistVersion.version).desc())).all()
    titles: dict[str, dict[str, str]] = {}
    for slug, title in rows:
        titles.setdefault(slug, title)
    none = ChoiceList(kind="reported-regions", options=[], selected=frozenset(), more=False, query="")
    return FilterChoices(choices.for_field(request, session, "reported-waves", "wave", waves, within=clinic_id),
                         list(titles.items()),
                         none if clinic_id is not None else
                         choices.for_field(request, session, "reported-regions", "region", region))


def find_wave(session: Session, ref: str) -> Wave:
    """A wave by id, or by name. Raises WaveNotFound."""
    wave = session.get(Wave, int(ref)) if ref.strip().isascii() and ref.strip().isdigit() else None
    wave = wave or session.execute(select(Wave).where(col(Wave.name) == ref)).scalars().first()
    if wave is None:
        raise WaveNotFound(wave=ref)
    return wave


def find_region(session: Session, ref: str) -> Region:
    """A region by id, or by name. Raises RegionNotFound."""
    region = session.get(Region, int(ref)) if ref.strip().isascii() and ref.strip().isdigit() else None
    region = region or session.execute(select(Region).where(col(Region.name) == ref)).scalars().first()
    if region is None:
        raise RegionNotFound(region=ref)
    return region


def find_checklist(session: Session, slug: str) -> Checklist:
    """Raises ChecklistNotFound."""
    checklist = session.execute(select(Checklist).where(col(Checklist.slug) == slug)).scalars().first()
    if checklist is None:
        raise ChecklistNotFound(slug=slug)
    return checklist


def most_used_checklist(session: Session, *, clinic_ids: Collection[int] | None,
                        wave_id: int | None = None) -> Checklist | None:
    """The checklist of most approved audits among these clinics (ties: the most recent audit)."""
    query = (select(col(ChecklistVersion.checklist_id))
             .join(Audit, col(Audit.checklist_version_id) == ChecklistVersion.id)
             .where(Audit.status == AuditStatus.approved))
    if clinic_ids is not None:
        query = query.where(col(Audit.clinic_id).in_(list(clinic_ids)))
    if wave_id is not None:
        query = query.where(Audit.wave_id == wave_id)
    query = (query.group_by(col(ChecklistVersion.checklist_id))
             .order_by(func.count(col(Audit.id)).desc(), func.max(col(Audit.id)).desc()).limit(1))
    checklist_id = session.execute(query).scalar()
    return session.get(Checklist, checklist_id) if checklist_id is not None else None


def waves_with_audits(session: Session, *, checklist_id: int,
                      clinic_ids: Collection[int] | None) -> list[Wave]:
    """Waves that have approved audits of the checklist at these clinics, oldest first."""
    query = (select(Wave).where(col(Wave.id).in_(
        select(col(Audit.wave_id))
        .join(ChecklistVersion, col(ChecklistVersion.id) == Audit.checklist_version_id)
        .where(Audit.status == AuditStatus.approved, ChecklistVersion.checklist_id == checklist_id,
               *([col(Audit.clinic_id).in_(list(clinic_ids))] if clinic_ids is not None else []))))
             .order_by(col(Wave.starts_on), col(Wave.id)))
    return list(session.execute(query).scalars().all())


def previous_wave(waves: list[Wave], current: Wave) -> Wave | None:
    """The wave before `current` among `waves` (chronological: start date, then id)."""
    earlier = [w for w in waves if (w.starts_on, w.id or 0) < (current.starts_on, current.id or 0)]
    return earlier[-1] if earlier else None


def followed_renames(versions: list[ChecklistVersion]) -> dict[str, str]:
    """Chain the renames of every version (oldest first) into retired key -> newest key: a -> b in
    v2 and b -> c in v3 give {a: c, b: c}. A retired key is assumed not to be reused later."""
    final: dict[str, str] = {}
    seen: set[int] = set()
    for version in sorted(versions, key=lambda v: v.version or 0):
        if version.id in seen:
            continue
        seen.add(version.id or 0)
        for old, new in (version.renamed_keys or {}).items():
            for key, target in final.items():
                if target == old:
                    final[key] = new
            final[old] = new
    return final


def versions_behind(session: Session, where: AuditFilter) -> set[int]:
    """The checklist versions the approved audits of the filter were filled on."""
    audit = queries.approved_audits(where)
    return set(session.execute(select(audit.c.checklist_version_id).distinct()).scalars().all())


def checklist_meta(session: Session, checklist: Checklist,
                   version_ids: Collection[int] | None = None) -> ChecklistMeta:
    """Touchpoints and items of the given versions (none given or none of them found: every
    published version), newest version first per key. Renames are followed up to the newest of
    those versions. Raises ChecklistNotFound when the checklist has no published version."""
    published = list(session.execute(select(ChecklistVersion).where(
        ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.status == "published")).scalars().all())
    chosen = [v.id for v in published if version_ids and v.id in version_ids] or [v.id for v in published]
    rows = session.execute(
        select(ChecklistVersion, Touchpoint)
        .join(Touchpoint, col(Touchpoint.version_id) == ChecklistVersion.id)
        .where(col(ChecklistVersion.id).in_(chosen))
        .order_by(col(ChecklistVersion.version).desc(), col(Touchpoint.position))).all()
    if not rows:
        raise ChecklistNotFound(slug=checklist.slug)
    latest: ChecklistVersion = rows[0][0]
    renames = followed_renames([v for v in published if v.version <= latest.version])
    tps: dict[str, TouchpointMeta] = {}
    for version, tp in rows:
        if tp.key not in tps:
            target = tp.target if tp.target is not None else version.target
            tps[tp.key] = TouchpointMeta(tp.key, tp.title, float(tp.weight), float(target),
                                         current=version.id == latest.id)
    item_rows = session.execute(
        select(Item, col(Touchpoint.key))
        .join(Touchpoint, col(Touchpoint.id) == Item.touchpoint_id)
        .join(ChecklistVersion, col(ChecklistVersion.id) == Item.version_id)
        .where(col(ChecklistVersion.id).in_(chosen))
        .order_by(col(ChecklistVersion.version).desc(), col(Touchpoint.position), col(Item.position))).all()
    order = list(tps)
    found: dict[str, ItemMeta] = {}
    for item, tp_key in item_rows:
        key = renames.get(item.key, item.key)
        if key not in found:
            found[key] = ItemMeta(key, item.text, item.type, float(item.weight), tp_key)
    ordered = dict(sorted(found.items(), key=lambda kv: order.index(kv[1].touchpoint)))
    return ChecklistMeta(id=checklist.id or 0, slug=checklist.slug, title=latest.title,
                         target=float(latest.target),
                         touchpoints=list(tps.values()), items=ordered, renames=renames)


def clinics_by_id(session: Session, clinic_ids: Collection[int]) -> dict[int, Clinic]:
    if not clinic_ids:
        return {}
    rows = session.execute(select(Clinic).where(col(Clinic.id).in_(list(clinic_ids)))).scalars().all()
    return {c.id: c for c in rows if c.id is not None}


def region_names(session: Session) -> dict[int, str]:
    return {r.id: r.name for r in session.execute(select(Region)).scalars().all() if r.id is not None}
