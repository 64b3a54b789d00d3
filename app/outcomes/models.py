from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column


class EventOutcome(SQLModel, table=True):
    """What an event achieved, recorded after it ended; who attended is on each Assignment."""

    __tablename__ = "event_outcome"
    __table_args__ = (
        sa.CheckConstraint(
            "people_spoken_to >= 0 AND interest_on_paper >= 0 AND leaflets >= 0",
            name="event_outcome_counts_not_negative",
        ),
    )

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    people_spoken_to: int = 0
    interest_on_paper: int = 0
    leaflets: int = 0
    what_worked: str = Field(default="", max_length=4000)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    # Bumped on every accepted change; an edit from an older copy is refused with 412.
    revision: int = 0
