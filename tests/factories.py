"""Plain functions that make rows through the domain code, with sensible defaults."""

import itertools

from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.clinics.models import Clinic, Region

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_region(session: Session, name: str | None = None) -> Region:
    region = Region(name=name or f"Region {next(_counter)}")
    session.add(region)
    session.flush()
    return region


def make_clinic(session: Session, *, name: str | None = None, region: Region | None = None,
                is_competitor: bool = False, **fields: object) -> Clinic:
    region = region or make_region(session)
    clinic = Clinic(name=name or f"Clinic {next(_counter)}", region_id=region.id, city="Moscow",
                    is_competitor=is_competitor, **fields)
    session.add(clinic)
    session.flush()
    return clinic


def make_user(session: Session, role: Role | str = Role.shopper, *, email: str | None = None,
              password: str = PASSWORD, **fields: object) -> User:
    """A user through the real create_user. A director scoped to nothing sees no clinic (scope fails
    closed): a test that means "every clinic" says whole_network=True, or gives region_ids/clinic_ids."""
    email = email or f"{role}{next(_counter)}@example.test"
    if role == Role.manager and "clinic_id" not in fields:
        fields["clinic_id"] = make_clinic(session).id
    return accounts.create_user(session, email=email, role=role, password=password, **fields)  # type: ignore[arg-type]
