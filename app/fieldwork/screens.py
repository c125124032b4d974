"""What the shopper's pages show: the visits list, each touchpoint screen with its items, progress
and QA's comments. Shapes data only; the rules live in rules.py and submission.py."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import quote_plus

from sqlmodel import Session, col, func, select

from app.checklists.content import content_of
from app.checklists.models import Item, ItemOption, Touchpoint
from app.checklists.schema import ItemType
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.errors import NotFound
from app.fieldwork import assignments, evidence
from app.fieldwork.audits import is_editable
from app.fieldwork.models import Answer, Audit, AuditStatus, Evidence, Review, ReviewComment
from app.fieldwork.rules import form_value
from app.fieldwork.submission import ItemState, item_state
from app.i18n import N_

TIMED_UNITS = frozenset({"s", "sec", "min"})
EMOTIONS = ((-2, "😣", N_("Very bad")), (-1, "😞", N_("Bad")), (0, "😐", N_("Neutral")),
            (1, "😊", N_("Good")), (2, "😄", N_("Very good")))


@dataclass
class ItemView:
    item: Item
    options: list[ItemOption]
    answer: Answer | None
    files: list[Evidence]
    state: ItemState
    editable: bool
    value: str = ""
    na: bool = False
    comment: str = ""
    qa_comment: str | None = None
    error: str | None = None
    # Times are shown in the clinic's zone until the phone's script rewrites them in its own.
    zone: tzinfo = field(default_factory=lambda: time_zones.zone_of(None))

    emotions = EMOTIONS

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def save_state(self) -> str:
        if self.error:
            return "invalid"
        if not self.editable:
            return "readonly"
        return "saved" if self.answer is not None or self.files else "empty"

    @property
    def saved_at(self) -> datetime | None:
        return self.answer.updated_at if self.answer else None

    @property
    def timed(self) -> bool:
        return self.item.type == ItemType.number and (self.item.unit or "") in TIMED_UNITS

    @property
    def ring_counter(self) -> bool:
        return self.timed and self.item.key.startswith("call.")

    @property
    def comment_required(self) -> bool:
        return self.state.failing and self.item.comment == "required_on_fail"

    @property
    def photo_required(self) -> bool:
        return self.item.photo == "required" or (self.item.photo == "required_on_fail" and self.state.failing)

    @property
    def takes_files(self) -> bool:
        return self.item.type == ItemType.evidence or self.item.photo != "none"

    @property
    def show_photo(self) -> bool:
        return self.item.type == ItemType.evidence or self.photo_required or self.item.photo == "optional" \
            or bool(self.files)


@dataclass
class Progress:
    touchpoint: Touchpoint
    answered: int
    required: int
    gaps: int


@dataclass
class Screen:
    audit: Audit
    visit: assignments.Visit
    progress: list[Progress]
    touchpoint: Touchpoint
    items: list[ItemView]
    previous: Touchpoint | None
    next: Touchpoint | None
    editable: bool
    errors: dict[str, str] = field(default_factory=dict)


def qa_comments(session: Session, audit: Audit) -> tuple[Review | None, dict[int | None, str]]:
    """The latest review's reason and item comments while the audit is returned for corrections."""
    if audit.status != AuditStatus.returned:
        return None, {}
    review = session.exec(select(Review).where(Review.audit_id == audit.id)
                          .order_by(col(Review.created_at).desc(), col(Review.id).desc())).first()
    if review is None:
        return None, {}
    comments = session.exec(select(ReviewComment).where(ReviewComment.review_id == review.id)).all()
    return review, {c.item_id: c.text for c in comments}


@dataclass(frozen=True)
class AuditRows:
    """What one audit has stored, read once per request: answers and files by item id."""

    answers: dict[int, Answer]
    files: dict[int | None, list[Evidence]]

    @classmethod
    def of(cls, session: Session, audit: Audit) -> "AuditRows":
        answers = {a.item_id: a for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all()}
        files: dict[int | None, list[Evidence]] = {}
        for file in evidence.evidence_of(session, audit):
            files.setdefault(file.item_id, []).append(file)
        return cls(answers, files)


def item_views(session: Session, audit: Audit, items: list[Item], *, errors: dict[str, str] | None = None,
               posted: dict[str, tuple[str, bool, str]] | None = None,
               rows: AuditRows | None = None) -> list[ItemView]:
    """Views of the given items of the audit; `posted` keeps what the shopper typed where it was invalid."""
    errors, posted = errors or {}, posted or {}
    rows = rows or AuditRows.of(session, audit)
    content = content_of(session, audit.checklist_version_id)
    _review, comments = qa_comments(session, audit)
    editable = is_editable(audit)
    zone = time_zones.zone_of(session.get(Clinic, audit.clinic_id))
    views = []
    for item in items:
        answer = rows.answers.get(item.id or 0)
        files = rows.files.get(item.id, [])
        options = list(content.options.get(item.id or 0, ()))
        state = item_state(item, answer, len(files), content.scores.get(item.id or 0, {}))
        view = ItemView(item, options, answer, files, state, editable, qa_comment=comments.get(item.id),
                        error=errors.get(item.key), zone=zone)
        if item.key in posted:
            view.value, view.na, view.comment = posted[item.key]
        elif answer is not None:
            view.value = form_value(item, answer.value_num, answer.value_text)
            view.na, view.comment = answer.na, answer.comment or ""
        views.append(view)
    return views


def progress(session: Session, audit: Audit, rows: AuditRows | None = None) -> list[Progress]:
    """Answered / required per touchpoint, and how many things each still misses."""
    content = content_of(session, audit.checklist_version_id)
    rows = rows or AuditRows.of(session, audit)
    answered: Counter[int] = Counter()
    required: Counter[int] = Counter()
    gaps: Counter[int] = Counter()
    for item in content.items:
        state = item_state(item, rows.answers.get(item.id or 0), len(rows.files.get(item.id, ())),
                           content.scores.get(item.id or 0, {}))
        required[item.touchpoint_id] += item.required
        answered[item.touchpoint_id] += item.required and state.answered
        gaps[item.touchpoint_id] += len(state.gaps)
    return [Progress(tp, answered[tp.id or 0], required[tp.id or 0], gaps[tp.id or 0])
            for tp in content.touchpoints]


def screen(session: Session, audit: Audit, touchpoint_key: str, *, errors: dict[str, str] | None = None,
           posted: dict[str, tuple[str, bool, str]] | None = None) -> Screen:
    """One touchpoint of the audit's form. Raises NotFound for a key not in the audit's checklist."""
    content = content_of(session, audit.checklist_version_id)
    rows = AuditRows.of(session, audit)
    lines = progress(session, audit, rows)
    keys = [line.touchpoint.key for line in lines]
    if touchpoint_key not in keys:
        raise NotFound()
    index = keys.index(touchpoint_key)
    touchpoint = lines[index].touchpoint
    items = list(content.by_touchpoint.get(touchpoint.id or 0, ()))
    return Screen(audit, assignments.visit_of(session, audit), lines, touchpoint,
                  item_views(session, audit, items, errors=errors, posted=posted, rows=rows),
                  lines[index - 1].touchpoint if index > 0 else None,
                  lines[index + 1].touchpoint if index + 1 < len(lines) else None,
                  is_editable(audit), errors or {})


def item_view(session: Session, audit: Audit, item: Item, *, error: str | None = None,
              posted: tuple[str, bool, str] | None = None, rows: AuditRows | None = None) -> ItemView:
    return item_views(session, audit, [item], errors={item.key: error} if error else None,
                      posted={item.key: posted} if posted else None, rows=rows)[0]


@dataclass
class VisitCard:
    visit: assignments.Visit
    answers: int
    map_url: str
    qa_reason: str | None = None
    qa_comments: int = 0


def map_link(visit: assignments.Visit) -> str:
    """A link the phone opens in its map app: coordinates when known, else the address."""
    clinic = visit.clinic
    if clinic.latitude is not None and clinic.longitude is not None:
        return f"https://maps.google.com/?q={clinic.latitude},{clinic.longitude}"
    place = ", ".join(part for part in (clinic.address, clinic.city) if part)
    return "https://maps.google.com/?q=" + quote_plus(place)


def home_groups(session: Session, shopper_visits: list[assignments.Visit]) -> dict[str, list[VisitCard]]:
    """The shopper's visits as to do / in progress / returned / submitted."""
    ids = [v.audit.id for v in shopper_visits]
    counts = dict(session.exec(select(Answer.audit_id, func.count()).where(col(Answer.audit_id).in_(ids))
                               .group_by(col(Answer.audit_id))).all()) if ids else {}
    groups: dict[str, list[VisitCard]] = {"todo": [], "in_progress": [], "returned": [], "submitted": []}
    for visit in shopper_visits:
        card = VisitCard(visit, counts.get(visit.audit.id or 0, 0), map_link(visit))
        status = visit.audit.status
        if status == AuditStatus.returned:
            review, comments = qa_comments(session, visit.audit)
            card.qa_reason, card.qa_comments = (review.reason if review else None), len(comments)
            groups["returned"].append(card)
        elif status == AuditStatus.draft:
            started = card.answers or visit.audit.visit_started_at or visit.audit.checkin_at
            groups["in_progress" if started else "todo"].append(card)
        else:
            groups["submitted"].append(card)
    return groups
