from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column
from app.enums import FeedKind


class FeedToken(SQLModel, table=True):
    """A secret calendar-subscription link. Only its SHA-256 is stored; reset revokes it."""

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    kind: FeedKind = Field(sa_type=sa.String(20))
    user_id: int = Field(foreign_key="user_account.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
