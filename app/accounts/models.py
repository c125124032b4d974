"""Users, their roles and scopes, server-side sessions and API tokens."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import false
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class Role(StrEnum):
    shopper = "shopper"
    qa_lead = "qa_lead"
    director = "director"
    manager = "manager"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20, index=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    language: str | None = Field(default=None, max_length=8)
    # A manager runs exactly one clinic; other roles leave it empty.
    clinic_id: int | None = Field(default=None, foreign_key="clinics.id", index=True)
    # A director sees every clinic only when this is set: no regions, no clinics and no flag = nothing
    # (scope fails closed, docs/design.md §2). Other roles leave it False.
    whole_network: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DirectorRegion(SQLModel, table=True):
    """A director scoped to regions sees their clinics (with DirectorClinic rows, the union)."""

    __tablename__ = "director_regions"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="regions.id", primary_key=True, ondelete="CASCADE")


class DirectorClinic(SQLModel, table=True):
    __tablename__ = "director_clinics"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    clinic_id: int = Field(foreign_key="clinics.id", primary_key=True, ondelete="CASCADE")


class UserSession(SQLModel, table=True):
    """A login. The cookie carries only a signed random id; logout and password change revoke rows."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=120)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, for throttling per account and per address."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LinkPurpose(StrEnum):
    invitation = "invitation"
    password_reset = "password_reset"
    email_change = "email_change"


class AccountLink(SQLModel, table=True):
    """A single-use, expiring link sent by e-mail; only the token's SHA-256 is kept."""

    __tablename__ = "account_links"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    new_email: str | None = Field(default=None, max_length=254)  # for an e-mail change
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
