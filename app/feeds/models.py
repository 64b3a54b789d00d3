from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import utc_column
from app.enums import FeedKind


class FeedToken(SQLModel, table=True):
    """A secret calendar-subscription link, revocable; reset revokes it and issues another.

    The token is HMAC(server secret, nonce): the page can show the link again at any time,
    a copy of the database reveals no working link (it holds only the nonce and the
    token's SHA-256, used to find the row), and rotating the secret ends every link.
    """

    __tablename__ = "feed_token"

    id: int | None = Field(default=None, primary_key=True)
    kind: FeedKind = Field(sa_type=sa.String(20))
    user_id: int = Field(foreign_key="user_account.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    nonce: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class FeedChange(SQLModel, table=True):
    """A change counter per feed scope ('all', 'person:7', 'venue:3', 'campaign:2',
    'event:12'), bumped in the same transaction as the change.

    Every worker reads it before serving a cached feed, so a change committed through any
    worker or process is seen by all of them at once; see ``app.feeds.changes``.
    """

    __tablename__ = "feed_change"

    scope: str = Field(primary_key=True, max_length=80)
    version: int = 0
    changed_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
