"""Planning figures: a campaign's targets and the snapshots that track them, the community's
shares beside the workforce's, and before/after comparisons. All aggregate: no row here is
about one person."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column


class CampaignTarget(SQLModel, table=True):
    """What a campaign aims for, e.g. 111 officers from ethnic minorities by 31 March, from 97."""

    __tablename__ = "campaign_target"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    measure: str = Field(max_length=200)
    unit: str = Field(default="count", max_length=20)  # "count" or "percent"
    baseline_value: float
    baseline_on: date
    target_value: float
    target_on: date
    source: str = Field(default="", max_length=500)
    position: int = 0
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class TargetSnapshot(SQLModel, table=True):
    """The measure's value on a day, as the workforce-representation team recorded it."""

    __tablename__ = "target_snapshot"
    __table_args__ = (sa.UniqueConstraint("target_id", "recorded_on", name="uq_target_snapshot_day"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="campaign_target.id", index=True)
    recorded_on: date
    value: float
    numerator: int | None = None
    denominator: int | None = None
    source: str = Field(default="", max_length=500)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class PopulationShare(SQLModel, table=True):
    """A group's share of the population of the force area ("") or of one town."""

    __tablename__ = "population_share"
    __table_args__ = (sa.UniqueConstraint("area", "group", "year", name="uq_population_share"),)

    id: int | None = Field(default=None, primary_key=True)
    area: str = Field(default="", max_length=120)
    group: str = Field(max_length=120)
    share_percent: float
    source: str = Field(default="", max_length=500)
    year: int
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class WorkforceShare(SQLModel, table=True):
    """How many of the workforce serving an area belong to a group, on a day."""

    __tablename__ = "workforce_share"
    __table_args__ = (sa.UniqueConstraint("area", "group", "as_of", name="uq_workforce_share"),)

    id: int | None = Field(default=None, primary_key=True)
    area: str = Field(default="", max_length=120)
    group: str = Field(max_length=120)
    count: int
    total: int
    as_of: date
    source: str = Field(default="", max_length=500)
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class BeforeAfter(SQLModel, table=True):
    """One measure over a period before a campaign or scheme and over a period after it."""

    __tablename__ = "before_after"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    scheme: str = Field(max_length=200)
    measure: str = Field(max_length=200)
    before_start: date
    before_end: date
    before_count: int
    before_total: int
    after_start: date
    after_end: date
    after_count: int
    after_total: int
    source: str = Field(default="", max_length=500)
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
