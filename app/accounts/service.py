"""Users: create, log in (with throttling), change roles, scopes and passwords, deactivate."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, delete, func, select

from app.accounts import passwords, sessions, tokens
from app.accounts.models import DirectorClinic, DirectorRegion, LoginAttempt, Role, User
from app.clinics.models import Clinic, Region
from app.db_types import utcnow
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.i18n import N_
from app.trail import service as trail
from app.web.paging import Page, PageRequest, SortKey, fetch_page

# Per account and per address, failures in the window: slow down first (each further attempt waits
# twice as long after the latest failure, up to MAX_DELAY), then lock until the window has passed.
THROTTLE_WINDOW = timedelta(hours=1)
ATTEMPTS_KEPT = timedelta(days=1)  # well past the window: a day of failures stays readable
SLOW_AFTER_ACCOUNT = 5
SLOW_AFTER_ADDRESS = 20
LOCK_AFTER_ACCOUNT = 20
LOCK_AFTER_ADDRESS = 100
MAX_DELAY = timedelta(minutes=1)


class WrongCredentials(DomainError):
    status_code = 400
    message = N_("Wrong email or password.")


class TooManyAttempts(DomainError):
    status_code = 429
    message = N_("Too many failed attempts. Wait a while and try again.")

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after  # seconds, for the Retry-After header


class EmailTaken(Conflict):
    message = N_("A user with this email already exists.")


class BadScope(Invalid):
    message = N_("A manager needs exactly one clinic; scopes apply to directors and managers only.")


class WholeNetworkAndScope(BadScope):
    message = N_("Choose either the whole network or regions and clinics, not both.")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise Invalid(N_("{email} is not a valid email address."), email=email)
    return email


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def create_user(session: Session, *, email: str, role: Role | str, password: str, name: str = "",
                clinic_id: int | None = None, region_ids: Iterable[int] = (),
                clinic_ids: Iterable[int] = (), whole_network: bool = False, language: str | None = None,
                actor: User | None = None) -> User:
    """A new active user. A manager is tied to one clinic; a director sees the whole network only
    with whole_network, else their regions and clinics, else nothing.

    Raises EmailTaken, WeakPassword, BadScope, Invalid.
    """
    email = normalize_email(email)
    role = Role(role)
    if find_user(session, email) is not None:
        raise EmailTaken()
    user = User(email=email, role=role, name=name.strip(), password_hash=passwords.hash_password(password),
                language=language)
    session.add(user)
    session.flush()
    set_scope(session, user=user, clinic_id=clinic_id, region_ids=region_ids, clinic_ids=clinic_ids,
              whole_network=whole_network)
    trail.record(session, actor=actor, verb="user.create", entity="user", entity_id=user.id, role=role.value,
                 whole_network=user.whole_network)
    return user


def set_scope(session: Session, *, user: User, clinic_id: int | None = None,
              region_ids: Iterable[int] = (), clinic_ids: Iterable[int] = (), whole_network: bool = False) -> None:
    """Replace a user's scope: a manager's clinic, or a director's whole network or regions and
    clinics (the flag and a list together are contradictory: WholeNetworkAndScope)."""
    region_ids, clinic_ids = set(region_ids), set(clinic_ids)
    if whole_network and user.role != Role.director:
        raise BadScope()
    if whole_network and (region_ids or clinic_ids):
        raise WholeNetworkAndScope()
    if user.role == Role.manager:
        if clinic_id is None and len(clinic_ids) == 1:
            clinic_id = clinic_ids.pop()
        if clinic_id is None or region_ids or clinic_ids:
            raise BadScope()
    elif clinic_id is not None or ((region_ids or clinic_ids) and user.role != Role.director):
        raise BadScope()
    if clinic_id is not None and session.get(Clinic, clinic_id) is None:
        raise NotFound(N_("Clinic {id} does not exist."), id=clinic_id)
    for region_id in region_ids:
        if session.get(Region, region_id) is None:
            raise NotFound(N_("Region {id} does not exist."), id=region_id)
    for other_id in clinic_ids:
        if session.get(Clinic, other_id) is None:
            raise NotFound(N_("Clinic {id} does not exist."), id=other_id)
    user.clinic_id, user.whole_network = clinic_id, whole_network
    session.add(user)
    session.exec(delete(DirectorRegion).where(col(DirectorRegion.user_id) == user.id))  # type: ignore[call-overload]
    session.exec(delete(DirectorClinic).where(col(DirectorClinic.user_id) == user.id))  # type: ignore[call-overload]
    session.add_all([DirectorRegion(user_id=user.id or 0, region_id=rid) for rid in sorted(region_ids)])
    session.add_all([DirectorClinic(user_id=user.id or 0, clinic_id=cid) for cid in sorted(clinic_ids)])


def scope_of(session: Session, user: User) -> tuple[list[int], list[int]]:
    regions = session.exec(select(DirectorRegion.region_id).where(DirectorRegion.user_id == user.id)).all()
    clinics = session.exec(select(DirectorClinic.clinic_id).where(DirectorClinic.user_id == user.id)).all()
    return list(regions), list(clinics)


def scopes_of(session: Session, user_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """scope_of for many users in two queries (a page of the users list)."""
    found: dict[int, tuple[list[int], list[int]]] = {user_id: ([], []) for user_id in user_ids}
    if user_ids:
        for user_id, region_id in session.exec(select(DirectorRegion.user_id, DirectorRegion.region_id)
                                               .where(col(DirectorRegion.user_id).in_(user_ids))).all():
            found[user_id][0].append(region_id)
        for user_id, clinic_id in session.exec(select(DirectorClinic.user_id, DirectorClinic.clinic_id)
                                               .where(col(DirectorClinic.user_id).in_(user_ids))).all():
            found[user_id][1].append(clinic_id)
    return found


def _recent_failures(session: Session, *, column: Any, value: str) -> tuple[int, datetime | None]:
    """How many failures in the throttle window, and when the latest was."""
    since = utcnow() - THROTTLE_WINDOW
    query = select(func.count(), func.max(LoginAttempt.at)).where(column == value, LoginAttempt.at >= since)
    count, latest = session.exec(query).one()  # max() keeps the column's type: an aware datetime
    return int(count), latest


def _wait(failures: int, latest: datetime | None, *, slow_after: int, lock_after: int) -> timedelta:
    """How long the next attempt must still wait: nothing below slow_after failures, then a delay
    doubling with each failure, and past lock_after until the window has passed."""
    if latest is None or failures < slow_after:
        return timedelta(0)
    if failures >= lock_after:
        return latest + THROTTLE_WINDOW - utcnow()
    delay = min(timedelta(seconds=2 ** min(failures - slow_after, 16)), MAX_DELAY)
    return latest + delay - utcnow()


def _one_attempt_at_a_time(session: Session, *, email: str, address: str) -> None:
    """Serialise the login attempts of one email and of one address until the transaction ends, so
    count-failures → check-password → record-failure is atomic: without it 40 parallel wrong
    passwords on PostgreSQL all read the same low count and got 18 passwords checked instead of 5.
    PostgreSQL: transaction-scoped advisory locks (email first, then address: one order, no
    deadlock), released at commit, after the failure is recorded. SQLite needs none: every
    transaction here begins IMMEDIATE (app/db.py), which already admits one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in (f"login-email:{email[:254]}", f"login-address:{address[:64]}"):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def check_throttle(session: Session, *, email: str, address: str) -> None:
    """Raises TooManyAttempts while the account (an email, whether or not such a user exists) or the
    address has to wait. Nothing here depends on the account existing."""
    by_email = _recent_failures(session, column=LoginAttempt.email, value=email[:254])
    by_address = _recent_failures(session, column=LoginAttempt.address, value=address[:64])
    wait = max(_wait(*by_email, slow_after=SLOW_AFTER_ACCOUNT, lock_after=LOCK_AFTER_ACCOUNT),
               _wait(*by_address, slow_after=SLOW_AFTER_ADDRESS, lock_after=LOCK_AFTER_ADDRESS))
    if wait > timedelta(0):
        raise TooManyAttempts(retry_after=max(1, math.ceil(wait.total_seconds())))


def authenticate(session: Session, *, email: str, password: str, address: str) -> User:
    """The user whose email and password match, else WrongCredentials: the message never says
    which part was wrong, and unknown emails cost the same time. Repeated failures per email and per
    address slow further attempts down, then lock them for the rest of the hour (TooManyAttempts,
    checked before the password, so nothing can be guessed while waiting).
    """
    email = email.strip().lower()
    _one_attempt_at_a_time(session, email=email, address=address)
    check_throttle(session, email=email, address=address)
    user = find_user(session, email)
    if not passwords.verify_password(user.password_hash if user else None, password) or not (user and user.active):
        session.add(LoginAttempt(email=email[:254], address=address[:64]))
        raise WrongCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.rehash(password)
        session.add(user)
    return user


def change_password(session: Session, *, user: User, new_password: str, actor: User | None) -> None:
    """Sets a new password and ends every session and API token of that user (the caller logs in
    again; integrations get a new token)."""
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    session.add(user)
    sessions.revoke_all(session, user_id=user.id or 0)
    tokens.revoke_all(session, user_id=user.id or 0)
    trail.record(session, actor=actor, verb="user.password", entity="user", entity_id=user.id)


def set_active(session: Session, *, user: User, active: bool, actor: User | None) -> None:
    """Deactivating ends the user's sessions and API tokens; a reactivated user starts with none
    (tokens are revoked again, in case any outlived an earlier deactivation)."""
    changed = user.active != active
    user.active = active
    session.add(user)
    if not active:
        sessions.revoke_all(session, user_id=user.id or 0)
    if changed or not active:
        tokens.revoke_all(session, user_id=user.id or 0)
    trail.record(session, actor=actor, verb="user.activate" if active else "user.deactivate",
                 entity="user", entity_id=user.id)


USER_ORDER = (SortKey(col(User.role)), SortKey(col(User.email)), SortKey(col(User.id)))


def users_page(session: Session, *, page: PageRequest, role: str | None = None) -> Page[User]:
    """One page of users by role and e-mail. Raises BadPage for a cursor that is not this list's."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    return fetch_page(session, query, order=USER_ORDER, page=page)


class OwnRoleChange(Invalid):
    message = N_("You cannot change your own role.")


def update_user(session: Session, *, user: User, name: str, role: Role | str, clinic_id: int | None = None,
                region_ids: Iterable[int] = (), clinic_ids: Iterable[int] = (), whole_network: bool = False,
                actor: User | None) -> User:
    """Change a user's name, role and scope together. An admin cannot change their own role (no
    lock-out of the last admin by a slip). Raises OwnRoleChange, BadScope, NotFound."""
    role, region_ids, clinic_ids = Role(role), sorted(region_ids), sorted(clinic_ids)
    if actor is not None and actor.id == user.id and role != user.role:
        raise OwnRoleChange()
    old_role = user.role
    user.name, user.role = name.strip()[:200], role
    set_scope(session, user=user, clinic_id=clinic_id, region_ids=region_ids, clinic_ids=clinic_ids,
              whole_network=whole_network)
    trail.record(session, actor=actor, verb="user.update", entity="user", entity_id=user.id,
                 role=role.value, old_role=str(old_role), clinic_id=clinic_id,
                 region_ids=region_ids, clinic_ids=clinic_ids, whole_network=whole_network)
    return user


class WrongCurrentPassword(Invalid):
    message = N_("The current password is not correct.")


def change_own_password(session: Session, *, user: User, current_password: str, new_password: str) -> None:
    """The user's own change: the current password must match. Ends all their sessions.

    Raises WrongCurrentPassword, WeakPassword."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise WrongCurrentPassword()
    change_password(session, user=user, new_password=new_password, actor=user)


def prune_login_attempts(session: Session, *, now: datetime) -> int:
    """Delete failed logins older than ATTEMPTS_KEPT (throttling reads only the last hour).
    Returns how many went (a periodic job, app.accounts.tasks)."""
    result = session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < now - ATTEMPTS_KEPT))  # type: ignore[call-overload]
    return int(result.rowcount or 0)
