from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column
from app.enums import PersonKind, UnavailabilityReason


class Person(SQLModel, table=True):
    """Someone who may stand at an outreach event as ambassador, recruiter or lead."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    staff_number: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    kind: PersonKind = Field(sa_type=sa.String(30))
    rank_or_title: str = Field(default="", max_length=120)
    base_town: str = Field(default="", max_length=120, index=True)
    latitude: float | None = None
    longitude: float | None = None
    languages: list[str] = Field(default_factory=list, sa_column=json_column())
    monthly_limit: int = 4
    # None: no weekly limit. Weeks run Monday to Sunday, London time.
    max_duties_per_week: int | None = None
    active: bool = True
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    # Bumped on every change: an edit made from an older copy is refused (If-Match).
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Representation(SQLModel, table=True):
    """A person's own, withdrawable opt-in to represent a network at outreach events.

    Network membership is special-category data: this row exists only while the person
    wants it to, and withdrawing deletes it.
    """

    __table_args__ = (sa.UniqueConstraint("person_id", "network_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    opted_in_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    public_naming: bool = False
    public_naming_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Unavailability(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    starts_at: datetime = Field(sa_column=utc_column(index=True))
    ends_at: datetime = Field(sa_column=utc_column(index=True))
    reason: UnavailabilityReason = Field(sa_type=sa.String(30))
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
