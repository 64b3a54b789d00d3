from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.db import json_column, utc_column


class Campaign(SQLModel, table=True):
    """A recruitment push over a period, e.g. police constables until April."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    roles_recruited: list[str] = Field(default_factory=list, sa_column=json_column())
    target_groups: list[str] = Field(default_factory=list, sa_column=json_column())
    starts_on: date
    ends_on: date
    # A note in words; the targets themselves are records (app.representation: CampaignTarget).
    targets_text: str = Field(default="", max_length=2000)
    coordinator_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Bumped on every change: an edit made from an older copy is refused (If-Match).
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
