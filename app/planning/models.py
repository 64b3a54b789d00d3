"""The planning calendar's own records: local dates and weekly patterns.

Times of day are London wall-clock "HH:MM" text: they carry no zone (they mean the same
hour in winter and summer), they compare correctly as text, and the audit trail keeps
snapshots as JSON, which has no time type.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column


class LocalDate(SQLModel, table=True):
    """A date an administrator adds: a school holiday, a town's mela, a venue's closure.

    ``scope`` says where it matters: ``everywhere``, a ``town`` (``town``), a ``venue``
    (``venue_id``) or a ``venue_kind`` (``venue_kind``)."""

    __tablename__ = "local_date"
    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="ck_local_date_order"),
        sa.CheckConstraint(
            "scope IN ('everywhere', 'town', 'venue', 'venue_kind')", name="ck_local_date_scope"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    starts_on: date = Field(index=True)
    ends_on: date = Field(index=True)
    starts_time: str | None = Field(default=None, max_length=5)
    ends_time: str | None = Field(default=None, max_length=5)
    scope: str = Field(default="everywhere", max_length=20)
    town: str = Field(default="", max_length=120)
    venue_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("venue.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    venue_kind: str = Field(default="", max_length=30)
    note: str = Field(default="", max_length=2000)
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class WeeklyPattern(SQLModel, table=True):
    """A weekly time at a kind of venue: Friday prayers at mosques, Sabbath at synagogues.

    A time left empty (``starts``/``ends`` None) means sunset at the venue that day; the
    pattern runs from ``weekday`` to ``end_weekday`` (the same day, or a later one)."""

    __tablename__ = "weekly_pattern"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_weekly_pattern_weekday"),
        sa.CheckConstraint("end_weekday BETWEEN 0 AND 6", name="ck_weekly_pattern_end_weekday"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    venue_kind: str = Field(max_length=30, index=True)
    weekday: int
    starts: str | None = Field(default=None, max_length=5)
    end_weekday: int
    ends: str | None = Field(default=None, max_length=5)
    note: str = Field(default="", max_length=2000)
    active: bool = True
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
