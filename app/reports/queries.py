"""The scoring of docs/design.md §5 as aggregate SQL (SQLAlchemy Core, GROUP BY in the database).

Scoring is three layers, each a subquery of the one before:

- `answer_scores`: one row per scored answer of an approved audit with its item score s in [0, 1];
- `computed_touchpoint_scores`: one row per audit and touchpoint, the weighted touchpoint score
  and whether a critical item failed there (zeroed under `critical_policy: zero_touchpoint`);
- `computed_audit_scores`: one row per audit, the weighted mean of its touchpoint scores.

Each audit is scored with the weights of the checklist version it was filled on. The last two
layers are stored once per approved audit (score_store.py, tables scored_touchpoints and
scored_audits); `audit_touchpoint_scores` and `audit_scores` read them back, so clinic and network
figures average a few rows per audit instead of every answer. Item pass rates and emotions read the
answers of the clinic in question. Python only shapes the rows. Every result is cast to a float,
so PostgreSQL never does integer division nor hands back Decimals.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, false, func, literal, or_, select, true
from sqlalchemy.sql import ColumnElement, Select, Subquery

from app.checklists.models import ChecklistVersion, Item, ItemOption, Touchpoint
from app.checklists.schema import SCORED_TYPES, ItemType
from app.fieldwork.models import Answer, Audit, AuditStatus
from app.reports.models import ScoredAudit, ScoredTouchpoint

answers = Answer.__table__  # type: ignore[attr-defined]
audits = Audit.__table__  # type: ignore[attr-defined]
items = Item.__table__  # type: ignore[attr-defined]
options = ItemOption.__table__  # type: ignore[attr-defined]
touchpoints = Touchpoint.__table__  # type: ignore[attr-defined]
versions = ChecklistVersion.__table__  # type: ignore[attr-defined]
scored_audits = ScoredAudit.__table__  # type: ignore[attr-defined]
scored_touchpoints = ScoredTouchpoint.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AuditFilter:
    """Which approved audits a figure is computed over: one checklist (all its versions), optionally
    some waves and some clinics (None = no restriction). `renames` maps an item key retired by a
    rename to the key it became, so an item is followed across versions under its newest key."""

    checklist_id: int
    wave_ids: Collection[int] | None = None
    clinic_ids: Collection[int] | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    unscored_only: bool = False  # only audits whose scores are not stored yet


def approved_audits(where: AuditFilter) -> Subquery:
    """The approved audits the filter selects, with their wave, clinic and checklist policy."""
    query = (select(audits.c.id.label("audit_id"), audits.c.wave_id, audits.c.clinic_id,
                    audits.c.checklist_version_id, versions.c.critical_policy, versions.c.checklist_id)
             .join(versions, versions.c.id == audits.c.checklist_version_id)
             .where(audits.c.status == AuditStatus.approved, versions.c.checklist_id == where.checklist_id))
    if where.wave_ids is not None:
        query = query.where(audits.c.wave_id.in_(list(where.wave_ids)))
    if where.clinic_ids is not None:
        query = query.where(audits.c.clinic_id.in_(list(where.clinic_ids)))
    if where.unscored_only:
        query = query.where(~exists().where(scored_audits.c.audit_id == audits.c.id))
    return query.subquery()


def _f(value: ColumnElement) -> ColumnElement:
    return cast(value, Float)


def item_score() -> ColumnElement:
    """s of docs/design.md §5 by item type; NULL where the answer carries no usable value (left out)."""
    v = _f(answers.c.value_num)
    within = and_(or_(items.c.pass_min.is_(None), v >= items.c.pass_min),
                  or_(items.c.pass_max.is_(None), v <= items.c.pass_max))
    return _f(case(
        (items.c.type == ItemType.yes_no, v),
        (items.c.type == ItemType.scale,
         (v - _f(items.c.scale_min)) / _f(items.c.scale_max - items.c.scale_min)),
        (and_(items.c.type == ItemType.number, v.is_not(None)),
         case((within, literal(1.0, Float)), else_=literal(0.0, Float))),
        (items.c.type == ItemType.choice, _f(options.c.score)),
        else_=None))


def followed_key(renames: Mapping[str, str]) -> ColumnElement:
    """The item key under which an answer is reported: its newest key after renames."""
    if not renames:
        return items.c.key
    whens = [(items.c.key == old, literal(new)) for old, new in sorted(renames.items())]
    return case(*whens, else_=items.c.key)


def answer_scores(where: AuditFilter) -> Subquery:
    """One row per scored answer of an approved audit: N/A answers, unscored types and answers
    without a value are left out of numerator and denominator alike."""
    audit = approved_audits(where)
    s = item_score()
    query = (select(audit.c.audit_id, audit.c.wave_id, audit.c.clinic_id, audit.c.critical_policy,
                    followed_key(where.renames).label("item_key"), items.c.type.label("item_type"),
                    _f(items.c.weight).label("weight"), items.c.critical,
                    touchpoints.c.key.label("touchpoint_key"),
                    _f(touchpoints.c.weight).label("touchpoint_weight"),
                    s.label("s"), answers.c.id.label("answer_id"), answers.c.item_id, answers.c.comment)
             .select_from(answers)
             .join(audit, audit.c.audit_id == answers.c.audit_id)
             .join(items, items.c.id == answers.c.item_id)
             .join(touchpoints, touchpoints.c.id == items.c.touchpoint_id)
             .outerjoin(options, and_(options.c.item_id == items.c.id, options.c.key == answers.c.value_text))
             .where(answers.c.na.is_(false()) | answers.c.na.is_(None),
                    items.c.type.in_([str(t) for t in SCORED_TYPES]), s.is_not(None)))
    return query.subquery()


def computed_touchpoint_scores(where: AuditFilter) -> Subquery:
    """Per audit and touchpoint, from the answers: score = 100·Σ(w·s)/Σ(w) over its scored answers; `flagged` = 1 when a
    critical item scored below 1, and then score = 0 under critical_policy zero_touchpoint."""
    a = answer_scores(where)
    flagged = func.max(case((and_(a.c.critical.is_(true()), a.c.s < 1), 1), else_=0))
    raw = 100.0 * func.sum(a.c.weight * a.c.s) / func.sum(a.c.weight)
    zeroed = and_(a.c.critical_policy == "zero_touchpoint", flagged == 1)
    score = case((zeroed, literal(0.0, Float)), else_=raw)
    query = (select(a.c.audit_id, a.c.wave_id, a.c.clinic_id, a.c.touchpoint_key,
                    func.max(a.c.touchpoint_weight).label("touchpoint_weight"),
                    _f(score).label("score"), flagged.label("flagged"))
             .group_by(a.c.audit_id, a.c.wave_id, a.c.clinic_id, a.c.touchpoint_key, a.c.critical_policy))
    return query.subquery()


def computed_audit_scores(touchpoint_rows: Subquery) -> Select:
    """Per audit: score = Σ(W·T)/Σ(W) over its touchpoints with a score; flagged if any touchpoint is."""
    t = touchpoint_rows
    return (select(t.c.audit_id,
                   _f(func.sum(t.c.touchpoint_weight * t.c.score) / func.sum(t.c.touchpoint_weight)).label("score"),
                   func.max(t.c.flagged).label("flagged"))
            .group_by(t.c.audit_id))


def _stored(table: Any, where: AuditFilter) -> Select:
    query = select(table).where(table.c.checklist_id == where.checklist_id)
    if where.wave_ids is not None:
        query = query.where(table.c.wave_id.in_(list(where.wave_ids)))
    if where.clinic_ids is not None:
        query = query.where(table.c.clinic_id.in_(list(where.clinic_ids)))
    return query


def audit_touchpoint_scores(where: AuditFilter) -> Subquery:
    """The stored touchpoint scores of the approved audits the filter selects (one row per audit and
    touchpoint with a score: audit_id, wave_id, clinic_id, touchpoint_key, touchpoint_weight, score,
    flagged). score_store.store_scores must have run for these audits."""
    return _stored(scored_touchpoints, where).subquery("audit_touchpoint_scores")


def audit_scores(where: AuditFilter) -> Subquery:
    """The stored scores of the approved audits the filter selects: one row per approved audit, its
    score NULL when nothing in it was scored."""
    return _stored(scored_audits, where).subquery("audit_scores")


def clinic_scores(where: AuditFilter) -> Select:
    """Per wave and clinic: approved audits, the clinic score (mean of audit scores), Σ and Σ² of the
    audit scores with their count (for the interval), and the number of critically flagged audits."""
    scored = audit_scores(where)
    score = scored.c.score
    return (select(scored.c.wave_id, scored.c.clinic_id,
                   func.count(scored.c.audit_id).label("audits"),
                   _f(func.avg(score)).label("score"),
                   func.count(score).label("scored"),
                   _f(func.sum(score)).label("total"),
                   _f(func.sum(score * score)).label("total_of_squares"),
                   func.coalesce(func.sum(scored.c.flagged), 0).label("critical_failures"))
            .group_by(scored.c.wave_id, scored.c.clinic_id))


def clinic_touchpoint_scores(where: AuditFilter) -> Select:
    """Per wave, clinic and touchpoint key: mean of the audits' touchpoint scores (only audits where
    the touchpoint has a score), their number n, and the number of audits flagged there."""
    t = audit_touchpoint_scores(where)
    return (select(t.c.wave_id, t.c.clinic_id, t.c.touchpoint_key,
                   _f(func.avg(t.c.score)).label("score"), func.count(t.c.score).label("n"),
                   func.sum(t.c.flagged).label("critical_failures"))
            .group_by(t.c.wave_id, t.c.clinic_id, t.c.touchpoint_key))


def item_pass_rates(where: AuditFilter) -> Select:
    """Per wave, clinic and item key (followed across versions): mean of s, n and Σs."""
    a = answer_scores(where)
    return (select(a.c.wave_id, a.c.clinic_id, a.c.item_key,
                   _f(func.avg(a.c.s)).label("pass_rate"), func.count(a.c.s).label("n"),
                   _f(func.sum(a.c.s)).label("passed"))
            .group_by(a.c.wave_id, a.c.clinic_id, a.c.item_key))


def touchpoint_emotions(where: AuditFilter) -> Select:
    """Per wave, clinic and touchpoint key: the mean of every emotion answer there (items pooled)."""
    audit = approved_audits(where)
    return (select(audit.c.wave_id, audit.c.clinic_id, touchpoints.c.key.label("touchpoint_key"),
                   _f(func.avg(_f(answers.c.value_num))).label("emotion"))
            .select_from(answers)
            .join(audit, audit.c.audit_id == answers.c.audit_id)
            .join(items, items.c.id == answers.c.item_id)
            .join(touchpoints, touchpoints.c.id == items.c.touchpoint_id)
            .where(items.c.type == ItemType.emotion, answers.c.value_num.is_not(None),
                   answers.c.na.is_(false()) | answers.c.na.is_(None))
            .group_by(audit.c.wave_id, audit.c.clinic_id, touchpoints.c.key))


def failing_answers(where: AuditFilter, *, limit: int) -> Select:
    """Answers that scored below 1, newest audits first, with the shopper's comment: the evidence
    behind the item gaps."""
    a = answer_scores(where)
    return (select(a.c.audit_id, a.c.item_key, a.c.item_id, a.c.s, a.c.answer_id, a.c.comment)
            .where(a.c.s < 1)
            .order_by(a.c.audit_id.desc(), a.c.item_key)
            .limit(limit))


def raw_answers(where: AuditFilter) -> Select:
    """Every answer of the approved audits, one row each, with its item score s (NULL where not
    scored or N/A), in audit and journey order: the raw data of the exports."""
    audit = approved_audits(where)
    s = case((answers.c.na.is_(true()), None), else_=item_score())
    return (select(audit.c.audit_id, audit.c.wave_id, audit.c.clinic_id, touchpoints.c.key.label("touchpoint_key"),
                   followed_key(where.renames).label("item_key"), items.c.type.label("item_type"),
                   answers.c.value_num, answers.c.value_text, answers.c.na, _f(s).label("s"), answers.c.comment)
            .select_from(answers)
            .join(audit, audit.c.audit_id == answers.c.audit_id)
            .join(items, items.c.id == answers.c.item_id)
            .join(touchpoints, touchpoints.c.id == items.c.touchpoint_id)
            .outerjoin(options, and_(options.c.item_id == items.c.id, options.c.key == answers.c.value_text))
            .order_by(audit.c.audit_id, touchpoints.c.position, items.c.position))


def audit_rows(where: AuditFilter) -> Select:
    """Every approved audit with its visit time, score and critical flag (NULL score: nothing scored)."""
    scored = audit_scores(where)
    return (select(scored.c.audit_id, scored.c.wave_id, scored.c.clinic_id, audits.c.visit_started_at,
                   audits.c.submitted_at, audits.c.decided_at, scored.c.score, scored.c.flagged)
            .select_from(scored)
            .join(audits, audits.c.id == scored.c.audit_id)
            .order_by(scored.c.audit_id))
