"""Who may visit where, checked on every claim from the board and every direct assignment
(docs/money.md). Each refusal names its rule and says why in plain words:

- an inactive shopper gets nothing;
- never where the shopper was recognised (a report rejected with the reason code "recognised");
- not the same clinic again within the wave's revisit_days (any wave's visit counts);
- at most the wave's max_visits per shopper;
- with certification_required, only shoppers certified for the checklist (QA or the quiz).

Rules a wave leaves empty are not checked; the recognition rule always is.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.db_types import utcnow
from app.errors import Invalid
from app.fieldwork.models import Assignment, Audit, AuditStatus, Review, Wave
from app.i18n import N_, gettext
from app.pool.models import Certification, WaveRules

RECOGNISED = "recognised"
REASON_CODES = (RECOGNISED,)


class RuleRefused(Invalid):
    """422 naming the refusing rule: detail is [{"rule", "message"}]."""

    def __init__(self, rule: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.rule = rule
        self.detail = [{"rule": rule, "message": self.text()}]


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str  # the msgid, marked with N_
    params: dict[str, object]

    def text(self) -> str:
        return gettext(self.message).format(**self.params)

    def error(self) -> RuleRefused:
        return RuleRefused(self.rule, self.message, **self.params)


def rules_of(session: Session, wave_id: int) -> WaveRules:
    return session.get(WaveRules, wave_id) or WaveRules(wave_id=wave_id)


def set_wave_rules(session: Session, *, wave: Wave, revisit_days: int | None, max_visits: int | None,
                   certification_required: bool) -> WaveRules:
    """Raises Invalid for a negative day count or a visit limit below one."""
    if revisit_days is not None and revisit_days < 0:
        raise Invalid(N_("The days between visits to one clinic cannot be negative."))
    if max_visits is not None and max_visits < 1:
        raise Invalid(N_("A shopper needs at least one visit per wave, or leave the limit empty."))
    row = session.get(WaveRules, wave.id) or WaveRules(wave_id=wave.id or 0)
    row.revisit_days, row.max_visits = revisit_days, max_visits
    row.certification_required, row.updated_at = certification_required, utcnow()
    session.add(row)
    session.flush()
    return row


def was_recognised(session: Session, *, shopper_id: int, clinic_id: int) -> bool:
    query = (select(Review.id).join(Audit, col(Audit.id) == Review.audit_id)
             .where(Audit.shopper_id == shopper_id, Audit.clinic_id == clinic_id,
                    Review.decision == "reject", Review.reason_code == RECOGNISED))
    return session.exec(query.limit(1)).first() is not None


def is_certified(session: Session, *, shopper_id: int, checklist_id: int) -> bool:
    return session.get(Certification, (shopper_id, checklist_id)) is not None


def _visit_days(session: Session, shopper_id: int, clinic_id: int) -> list[date]:
    """The day of each of the shopper's live visits to the clinic: when it happened, else its window,
    else when it was assigned. A rejected report is no visit that counts against the rule."""
    query = (select(Assignment.window_start, Assignment.window_end, Assignment.created_at,  # type: ignore[call-overload]
                    Audit.visit_started_at, Audit.status)
             .outerjoin(Audit, col(Audit.assignment_id) == Assignment.id)
             .where(Assignment.shopper_id == shopper_id, Assignment.clinic_id == clinic_id,
                    col(Assignment.cancelled_at).is_(None)))
    days = []
    clinic = session.get(Clinic, clinic_id)
    for start, end, created, visited, status in session.exec(query).all():
        if status == AuditStatus.rejected:
            continue
        if visited is not None:  # the clinic's day, as its windows are
            days.append(time_zones.local(visited, clinic).date())
        else:
            days.append(start or end or time_zones.local(created, clinic).date())
    return days


def refusal(session: Session, *, shopper: User, wave: Wave, clinic: Clinic, checklist_id: int,
            visit_on: date | None = None) -> Refusal | None:
    """The first rule that refuses this visit to this shopper, or None when every rule allows it."""
    if not shopper.active:
        return Refusal("inactive", N_("This shopper account is not active."), {})
    if was_recognised(session, shopper_id=shopper.id or 0, clinic_id=clinic.id or 0):
        return Refusal(RECOGNISED, N_("The shopper was recognised at {clinic}: they cannot visit it again."),
                       {"clinic": clinic.name})
    rules = rules_of(session, wave.id or 0)
    if rules.revisit_days:
        day = visit_on or time_zones.today_at(clinic, utcnow())
        close = [d for d in _visit_days(session, shopper.id or 0, clinic.id or 0)
                 if abs((day - d).days) < rules.revisit_days]
        if close:
            return Refusal("revisit", N_("The shopper visited {clinic} on {day}: another visit needs {days} days "
                                         "between them."),
                           {"clinic": clinic.name, "day": close[0].isoformat(), "days": rules.revisit_days})
    if rules.max_visits:
        count = session.exec(select(func.count(col(Assignment.id))).where(
            Assignment.wave_id == wave.id, Assignment.shopper_id == shopper.id,
            col(Assignment.cancelled_at).is_(None))).one()
        if count >= rules.max_visits:
            return Refusal("max_visits", N_("The shopper already has {count} visits in {wave}, the most a shopper "
                                            "may do."), {"count": count, "wave": wave.name})
    if rules.certification_required and not is_certified(session, shopper_id=shopper.id or 0,
                                                         checklist_id=checklist_id):
        return Refusal("certification", N_("The shopper is not certified for this checklist yet: a QA lead "
                                               "certifies, or the shopper passes its quiz."), {})
    return None


def check_visit(session: Session, *, shopper: User, wave: Wave, clinic: Clinic, checklist_id: int,
                visit_on: date | None = None) -> None:
    """Raises RuleRefused (422, naming the rule) when a rule refuses the visit."""
    refused = refusal(session, shopper=shopper, wave=wave, clinic=clinic, checklist_id=checklist_id,
                      visit_on=visit_on)
    if refused is not None:
        raise refused.error()
