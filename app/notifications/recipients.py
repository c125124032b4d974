"""Who hears of a clinic's news: computed with the same scope rules as the pages
(app/accounts/scope.py), so no one is told about a clinic they may not see."""

from sqlmodel import Session, col, select

from app.accounts import scope
from app.accounts.models import Role, User


def active_users(session: Session, *roles: Role) -> list[User]:
    query = select(User).where(col(User.role).in_([role.value for role in roles]), col(User.active).is_(True))
    return list(session.exec(query.order_by(col(User.id))).all())


def clinic_readers(session: Session, clinic_id: int) -> list[User]:
    """The directors whose scope holds the clinic and the clinic's managers."""
    return [user for user in active_users(session, Role.director, Role.manager)
            if scope.can_see_clinic(session, user, clinic_id)]


def user(session: Session, user_id: int | None) -> list[User]:
    found = session.get(User, user_id) if user_id else None
    return [found] if found is not None and found.active else []
