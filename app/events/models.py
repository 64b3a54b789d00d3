from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column
from app.enums import EventStatus, PartnerStatus


class Event(SQLModel, table=True):
    """A campaign's session at a venue."""

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="event_ends_after_start"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    venue_id: int = Field(foreign_key="venue.id", index=True)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_column=utc_column(index=True))
    ends_at: datetime = Field(sa_column=utc_column(index=True))
    status: EventStatus = Field(default=EventStatus.draft, sa_type=sa.String(20), index=True)
    public: bool = False
    public_description: str = Field(default="", max_length=4000)
    internal_notes: str = Field(default="", max_length=4000)
    what_to_bring: str = Field(default="", max_length=2000)
    ambassadors_needed: int = 0
    recruiters_needed: int = 0
    wanted_languages: list[str] = Field(default_factory=list, sa_column=json_column())
    # Bumped on every accepted change (an edit from an older copy is refused with 412);
    # the calendar SEQUENCE follows it.
    revision: int = 0
    cancelled_reason: str = Field(default="", max_length=500)
    partner_status: PartnerStatus = Field(default=PartnerStatus.pending, sa_type=sa.String(20))
    partner_message: str = Field(default="", max_length=2000)
    coordinator_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class EventNetworkNeed(SQLModel, table=True):
    """'At least N ambassadors representing this network' for one event."""

    __tablename__ = "event_network_need"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    network_id: int = Field(foreign_key="network.id", primary_key=True)
    min_count: int = 1
