from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column
from app.enums import Role


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    # The audit trail has always filed accounts as "user".
    audit_type: ClassVar[str] = "user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=sa.String(20))
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    active: bool = True
    # Bumped on password change or "sign out everywhere": old session cookies stop working.
    session_version: int = 1
    # The force's single sign-on subject ("sub" of its OpenID Connect provider), once matched.
    oidc_subject: str | None = Field(default=None, max_length=255, sa_column_kwargs={"unique": True})
    invited_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_sign_in_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class UserVenue(SQLModel, table=True):
    """Which venues a partner user speaks for."""

    __tablename__ = "user_venue"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    venue_id: int = Field(foreign_key="venue.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(default="", max_length=100)
    # SHA-256 of the token: a copy of the database does not hand out working tokens.
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is kept here,
    so ending a session (sign-out, password change, deactivation) ends it everywhere."""

    __tablename__ = "user_session"

    id_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_reason: str = Field(default="", max_length=200)
    user_agent: str = Field(default="", max_length=300)
