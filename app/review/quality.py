"""Shopper quality: how each shopper's reports fare at the review gate, and how promptly they come."""

import statistics
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.clinics import time_zones
from app.clinics.models import Clinic
from app.errors import NotFound
from app.fieldwork.models import Assignment, Audit, AuditStatus, Review
from app.validity.models import AuditValidity, Verdict
from app.web.paging import Page, PageRequest, SortKey, fetch_page


@dataclass(frozen=True)
class ShopperQuality:
    user_id: int
    name: str
    email: str
    active: bool
    visits: int  # audits submitted at least once
    approved: int
    returned: int  # return decisions (an audit returned twice counts twice)
    rejected: int
    median_hours: float | None  # from the visit to the (latest) submission
    late: int  # submitted after the assignment's visit window ended (the clinic's last day)
    checked: int = 0  # submitted audits with a validity verdict (docs/validity.md)
    doubtful: int = 0  # of those, judged doubtful or invalid

    @property
    def doubtful_share(self) -> float | None:
        return self.doubtful / self.checked if self.checked else None


SHOPPER_ORDER = (SortKey(col(User.active), descending=True), SortKey(col(User.name)), SortKey(col(User.email)),
                 SortKey(col(User.id)))


def shopper_quality(session: Session, page: PageRequest | None = None) -> Page[ShopperQuality]:
    """One page of rows, one per shopper, active ones first. Counts are grouped in SQL for the page's
    shoppers; the median is taken in Python over each one's submitted audits (a small list). Raises
    BadPage for a cursor that is not this list's."""
    found = fetch_page(session, select(User).where(User.role == Role.shopper), order=SHOPPER_ORDER,
                       page=page or PageRequest())
    shoppers = found.rows
    mine = col(Audit.shopper_id).in_([user.id for user in shoppers])
    query = (select(Audit.shopper_id,
                    func.count(case((col(Audit.submission_count) > 0, 1))),
                    func.count(case((col(Audit.status) == AuditStatus.approved, 1))),
                    func.count(case((col(Audit.status) == AuditStatus.rejected, 1))))
             .where(mine).group_by(col(Audit.shopper_id)))
    counts = {shopper_id: (visits, approved, rejected)
              for shopper_id, visits, approved, rejected in session.exec(query).all()}
    returns = dict(session.exec(
        select(Audit.shopper_id, func.count(col(Review.id))).join(Review, col(Review.audit_id) == Audit.id)
        .where(Review.decision == "return", mine).group_by(col(Audit.shopper_id))).all())
    verdicts = {shopper_id: (checked, doubtful) for shopper_id, checked, doubtful in session.exec(
        select(Audit.shopper_id, func.count(col(AuditValidity.id)),
               func.count(case((col(AuditValidity.verdict) != Verdict.valid, 1))))
        .join(AuditValidity, col(AuditValidity.audit_id) == Audit.id)
        .where(col(Audit.submission_count) > 0, mine).group_by(col(Audit.shopper_id))).all()}
    hours: dict[int, list[float]] = {}
    late: dict[int, int] = {}
    timings = session.exec(
        select(Audit.shopper_id, Audit.visit_started_at, Audit.visit_ended_at, Audit.submitted_at,  # type: ignore[call-overload,misc]
               Assignment.window_end, Clinic.time_zone)
        .join(Assignment, col(Audit.assignment_id) == Assignment.id)
        .join(Clinic, col(Clinic.id) == Audit.clinic_id)
        .where(col(Audit.submitted_at).is_not(None), mine)).all()
    for shopper_id, started, ended, submitted, window_end, zone in timings:
        visit = ended or started
        if visit is not None:
            hours.setdefault(shopper_id, []).append((submitted - visit).total_seconds() / 3600)
        if window_end is not None and submitted.astimezone(time_zones.zone_named(zone)).date() > window_end:
            late[shopper_id] = late.get(shopper_id, 0) + 1

    rows = []
    for user in shoppers:
        uid = user.id or 0
        visits, approved, rejected = counts.get(uid, (0, 0, 0))
        rows.append(ShopperQuality(user_id=uid, name=user.name, email=user.email, active=user.active,
                                   visits=visits, approved=approved, returned=returns.get(uid, 0),
                                   rejected=rejected,
                                   median_hours=statistics.median(hours[uid]) if uid in hours else None,
                                   late=late.get(uid, 0), checked=verdicts.get(uid, (0, 0))[0],
                                   doubtful=verdicts.get(uid, (0, 0))[1]))
    return found.with_rows(rows)


def set_shopper_active(session: Session, *, shopper_id: int, active: bool, actor: User) -> User:
    """Deactivate (or reactivate) a shopper; a deactivated one is logged out and cannot log in.
    Raises NotFound for anyone who is not a shopper: QA manages shoppers only."""
    user = session.get(User, shopper_id)
    if user is None or user.role != Role.shopper:
        raise NotFound()
    accounts.set_active(session, user=user, active=active, actor=actor)
    return user
