"""An expression of interest: someone from the public asking to be contacted about joining.

It holds personal data given for one purpose, so it is kept only until ``erase_after`` and
its audit lines never repeat what it held (see ``app.interest.service``).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column
from app.enums import InterestStatus


class InterestRecord(SQLModel, table=True):
    __tablename__ = "interest_record"

    id: int | None = Field(default=None, primary_key=True)
    # Where it came from: the event whose page or poster they used (none: the general form).
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    venue_id: int | None = Field(default=None, foreign_key="venue.id", index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    # Copied from the venue when sent, so the counts by town stay as they were on the day.
    town: str = Field(default="", max_length=120, index=True)
    full_name: str = Field(max_length=120)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    roles: list[str] = Field(default_factory=list, sa_column=json_column())
    message: str = Field(default="", max_length=1000)
    consent_given_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    status: InterestStatus = Field(default=InterestStatus.new, sa_type=sa.String(20), index=True)
    status_changed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    coordinator_note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    erase_after: datetime = Field(sa_column=utc_column(index=True))
    # Bumped on every change: a status change made from an older copy is refused (If-Match).
    revision: int = 0
